import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, toolVersion } from '../load/package-root.js';

/**
 * The GitHub repository groupops lives in (`owner/name`), from the `repository` field of its
 * package.json: the one place the Action's home is written down, so that `init`, the docs and the
 * package agree.
 */
export function groupopsRepository(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { repository?: string | { url?: string } };
  const url = typeof manifest.repository === 'string' ? manifest.repository : (manifest.repository?.url ?? '');
  const m = /github(?:\.com[/:]|:)([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(url);
  if (!m) throw new Error(`the repository field of groupops's package.json is not a GitHub repository: "${url}"`);
  return `${m[1]}/${m[2]}`;
}

/**
 * The `uses:` that `init` writes: the Action at the release tag of the running groupops
 * (`owner/groupops@v0.1.0`), so that the workflows run the same version that scaffolded them.
 * Dependabot's github-actions updates move it to later releases.
 */
export function defaultActionRef(): string {
  return `${groupopsRepository()}@v${toolVersion()}`;
}

/** Whether `ref` is a `uses:` of a repository's action (`owner/name@ref`, `owner/name/path@ref`) or a local one (`./path`). */
export function isActionRef(ref: string): boolean {
  return /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_./-]+$/.test(ref) || /^\.\/[A-Za-z0-9_./-]*$/.test(ref);
}

/** Whether `name` can be written as a branch in the apply workflow's `branches:` as it is. */
export function isPlainBranchName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(name) && !name.includes('..') && !name.endsWith('/') && !name.endsWith('.lock');
}
