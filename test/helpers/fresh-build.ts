import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The build's configuration; its incremental build info (tsBuildInfoFile) is the build's time stamp. */
export const BUILD_CONFIG = 'tsconfig.build.json';

interface BuildConfig {
  readonly include: readonly string[];
  readonly compilerOptions: { readonly tsBuildInfoFile: string; readonly outDir: string };
}

function readBuildConfig(root: string): BuildConfig {
  return JSON.parse(readFileSync(join(root, BUILD_CONFIG), 'utf8')) as BuildConfig;
}

/**
 * The latest modification time among the build's inputs: the folders the build includes, every
 * file and folder below them (a folder's time changes when a file in it is added, renamed or
 * deleted), and the TypeScript configurations.
 */
export function newestInputTime(root: string): number {
  const config = readBuildConfig(root);
  let newest = 0;
  const see = (path: string): void => {
    const stats = statSync(path);
    newest = Math.max(newest, stats.mtimeMs);
    if (stats.isDirectory()) for (const name of readdirSync(path)) see(join(path, name));
  };
  for (const config_ of [BUILD_CONFIG, 'tsconfig.json']) see(join(root, config_));
  for (const folder of config.include) see(join(root, folder));
  return newest;
}

/**
 * Whether dist/ may be older than the sources: there is no build info (never built, or dist/ was
 * removed), or an input changed after it was written. A false "stale" costs one `tsc -b`, which
 * finds the build up to date by the inputs' contents; a false "fresh" is what this exists to rule out.
 */
export function buildIsStale(root: string): boolean {
  let built: number;
  try {
    built = statSync(join(root, readBuildConfig(root).compilerOptions.tsBuildInfoFile)).mtimeMs;
  } catch {
    return true;
  }
  return newestInputTime(root) > built;
}

/** What tsc writes for a source file `x.ts`: `x.js`, `x.d.ts` and their maps. */
const OUTPUT_SUFFIXES = ['.js', '.js.map', '.d.ts', '.d.ts.map'];

/**
 * Removes the outputs in dist/ whose source file is gone (a module deleted or moved), which tsc
 * leaves behind: a test that imports or packs one would pass here and fail on a fresh clone.
 * Returns the paths removed, relative to the root.
 */
export function removeOrphanOutputs(root: string): string[] {
  const outDir = readBuildConfig(root).compilerOptions.outDir;
  const removed: string[] = [];
  const visit = (rel: string): void => {
    const full = join(root, outDir, rel);
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full)) visit(rel === '' ? name : join(rel, name));
      return;
    }
    const suffix = OUTPUT_SUFFIXES.find((s) => rel.endsWith(s));
    if (suffix === undefined) return; // the build info, or a file tsc did not write
    if (existsSync(join(root, `${rel.slice(0, -suffix.length)}.ts`))) return;
    rmSync(full);
    removed.push(join(outDir, rel));
  };
  if (existsSync(join(root, outDir))) visit('');
  return removed;
}

/**
 * Brings dist/ up to date before the tests that run the built CLI: a check of the inputs' times
 * (milliseconds) when nothing changed, otherwise TypeScript's incremental build (`tsc -b`), which
 * rebuilds what changed; outputs whose source is gone are removed either way. A failed build (a type error) stops the run, as `npm run build` would.
 */
export function ensureFreshBuild(root: string): void {
  removeOrphanOutputs(root);
  if (!buildIsStale(root)) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-b', BUILD_CONFIG], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`the build (tsc -b ${BUILD_CONFIG}) failed, so the end-to-end tests cannot run the current code:\n${stdout ?? ''}${stderr ?? ''}`, { cause: err });
  }
  // tsc leaves the build info alone when it finds the outputs up to date by the inputs' contents
  // (a file saved unchanged, an editor's swap file come and gone): mark them as checked, so that
  // the next run does not ask tsc again.
  const now = new Date();
  utimesSync(join(root, readBuildConfig(root).compilerOptions.tsBuildInfoFile), now, now);
}
