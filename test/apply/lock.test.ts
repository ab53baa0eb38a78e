import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnsafePlanError } from '../../src/errors/index.js';
import { acquireStateLock } from '../../src/state/lock.js';
import { nodeFileSystem } from '../../src/state/node-file-system.js';
import { tempWorkspace } from './workspace-fixture.js';

const DEAD_PID = 2 ** 22 + 4321;
const fs = nodeFileSystem();
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function stateDir() {
  const ws = await tempWorkspace({ 'state/snapshot.json': '{}' });
  cleanup = ws.cleanup;
  return join(ws.dir, 'state');
}

describe('acquireStateLock', () => {
  it('holds the lock until released, and a second holder is refused meanwhile', async () => {
    const dir = await stateDir();
    const lock = await acquireStateLock(fs, join(dir, 'snapshot.json'), 'state/snapshot.json', new Date(0));
    expect(await readdir(dir)).toContain('snapshot.json.lock');
    // The holder file names this live process, so another acquirer must refuse (here: a foreign host).
    await writeFile(join(dir, 'snapshot.json.lock'), JSON.stringify({ pid: process.pid, host: `not-${hostname()}`, started: 'x' }));
    await expect(acquireStateLock(fs, join(dir, 'snapshot.json'), 'state/snapshot.json', new Date(0))).rejects.toThrow(UnsafePlanError);
    await lock.release();
    expect(await readdir(dir)).not.toContain('snapshot.json.lock');
  });

  it('refuses a lock whose holder cannot be read, naming the file to delete', async () => {
    const dir = await stateDir();
    await writeFile(join(dir, 'snapshot.json.lock'), 'garbage');
    await expect(acquireStateLock(fs, join(dir, 'snapshot.json'), 'state/snapshot.json', new Date(0))).rejects.toThrow(/an unknown process[\s\S]*delete state\/snapshot\.json\.lock/);
  });

  it('removes on release the folders it made when nothing else was written in them (a failed first apply)', async () => {
    const ws = await tempWorkspace({});
    cleanup = ws.cleanup;
    const lock = await acquireStateLock(fs, join(ws.dir, '.groupops/nested/snapshot.json'), '.groupops/nested/snapshot.json', new Date(0));
    expect(await readdir(join(ws.dir, '.groupops/nested'))).toEqual(['snapshot.json.lock']);
    await lock.release();
    expect(await readdir(ws.dir)).toEqual([]);
  });

  it('keeps a folder it made once something else is in it, and a folder that was there before', async () => {
    const ws = await tempWorkspace({});
    cleanup = ws.cleanup;
    const made = await acquireStateLock(fs, join(ws.dir, '.groupops/snapshot.json'), '.groupops/snapshot.json', new Date(0));
    await writeFile(join(ws.dir, '.groupops/snapshot.json'), '{}');
    await made.release();
    expect(await readdir(join(ws.dir, '.groupops'))).toEqual(['snapshot.json']);

    await mkdir(join(ws.dir, 'state'));
    const existing = await acquireStateLock(fs, join(ws.dir, 'state/snapshot.json'), 'state/snapshot.json', new Date(0));
    await existing.release();
    expect(await readdir(join(ws.dir, 'state'))).toEqual([]);
  });

  it('sweeps temporary files left by killed processes, and keeps those of live ones', async () => {
    const dir = await stateDir();
    const files = [`snapshot.json.${DEAD_PID}.tmp`, `snapshot.json.lock.${DEAD_PID}.tmp`, `snapshot.json.${process.ppid}.tmp`, `other.${DEAD_PID}.tmp`];
    for (const f of files) await writeFile(join(dir, f), 'x');
    const lock = await acquireStateLock(fs, join(dir, 'snapshot.json'), 'state/snapshot.json', new Date(0));
    await lock.release();
    expect((await readdir(dir)).sort()).toEqual([`other.${DEAD_PID}.tmp`, `snapshot.json.${process.ppid}.tmp`, 'snapshot.json'].sort());
  });
});
