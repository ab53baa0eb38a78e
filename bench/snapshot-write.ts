import { rmSync } from 'node:fs';
import { nodeFileSystem } from '../src/state/node-file-system.js';
import { readSnapshotFile, writeSnapshot } from '../src/state/snapshot-store.js';

// Run as its own process by the bench: reads a snapshot, then times writing it (render, write,
// fsync, rename) to a scratch path next to it. Prints the figures as JSON.
const path = process.argv[2]!;
const fs = nodeFileSystem();
let started = performance.now();
const { snapshot } = await readSnapshotFile(fs, path);
const readMs = performance.now() - started;
const scratch = `${path}.bench-write.json`;
started = performance.now();
await writeSnapshot(fs, scratch, snapshot);
const writeMs = performance.now() - started;
rmSync(scratch, { force: true });
process.stdout.write(`${JSON.stringify({ readMs, writeMs })}\n`);
