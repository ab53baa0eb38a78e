import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The groupops package folder (holding `schemas/` and `package.json`), from sources or from the build. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'groupops') {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the groupops package folder');
    dir = parent;
  }
}

/** The version in groupops's package.json. */
export function toolVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

let build: string | undefined;

/**
 * A digest of the running code (every module of the folder this one is in, and the schemas), so
 * that two builds of one version (a branch, a commit, a local build) never pass for each other
 * where what the code makes of a file matters (the snapshot's sources). About 10 ms, once.
 */
export function buildIdentity(): string {
  if (build) return build;
  const code = dirname(dirname(fileURLToPath(import.meta.url)));
  const hash = createHash('sha256');
  for (const root of [code, join(packageRoot(), 'schemas')]) {
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(js|ts|json)$/.test(e.name))
      .map((e) => join(e.parentPath, e.name))
      .sort();
    for (const file of files) hash.update(`${relative(root, file)}\n`).update(readFileSync(file));
  }
  return (build = hash.digest('hex'));
}
