import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceContext } from '../../src/app/group-sources.js';
import { openWorkspace } from '../../src/app/workspace.js';
import { inputsDigest, sha256Hex, sourceHash } from '../../src/core/group-source.js';
import { scanSections } from '../../src/state/snapshot-sections.js';

/**
 * Rewrites a group's source digest in the snapshot at `dir` as anyone can (the files and lines are
 * in the repository): over its files as they are now and its lines as they are, so that it claims
 * the edited files declare the old members. What a pull request could write to hide its change.
 */
export async function forgeSource(dir: string, name: string, state = '.groupops/snapshot.json'): Promise<void> {
  const text = readFileSync(join(dir, state), 'utf8');
  const section = scanSections(Buffer.from(text))!.sections.find((s) => s.group.name === name)!;
  const files = section.source!.files.map((path) => ({ path, sha256: sha256Hex(readFileSync(join(dir, path))) }));
  const context = sourceContext(await openWorkspace({ cwd: dir }));
  const digest = sourceHash(inputsDigest(context, files)).update(section.lines).digest('hex');
  writeFileSync(join(dir, state), text.replace(section.source!.digest, digest));
}
