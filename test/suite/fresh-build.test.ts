import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIsStale, ensureFreshBuild, removeOrphanOutputs } from '../helpers/fresh-build.js';

// The end-to-end tests run dist/; the suite's global setup rebuilds it whenever the sources are
// newer. Times here are set explicitly (utimes), never waited for.

const BUILD_CONFIG = { extends: './tsconfig.json', compilerOptions: { rootDir: '.', outDir: 'dist', noEmit: false, incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo' }, include: ['src'] };
const BASE_CONFIG = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] } };

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** A tiny TypeScript project shaped like this repository's build; every file and folder dated `at` (seconds). */
function project(files: Record<string, string>, at = 1_000_000): string {
  root = mkdtempSync(join(tmpdir(), 'groupops-build-'));
  const all: Record<string, string> = { 'tsconfig.json': JSON.stringify(BASE_CONFIG), 'tsconfig.build.json': JSON.stringify(BUILD_CONFIG), ...files };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  for (const rel of [...Object.keys(all), 'src', 'src/deep']) if (existsSync(join(root, rel))) utimesSync(join(root, rel), at, at);
  return root;
}

const date = (dir: string, rel: string, at: number): void => utimesSync(join(dir, rel), at, at);

describe('buildIsStale: dist/ is rebuilt when any input is newer than the last build', () => {
  it('is stale without a build, fresh once the build info is newer than every input', () => {
    const dir = project({ 'src/a.ts': 'export const a = 1;\n', 'src/deep/b.ts': 'export const b = 2;\n' });
    expect(buildIsStale(dir)).toBe(true);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist/.tsbuildinfo'), '{}');
    date(dir, 'dist/.tsbuildinfo', 2_000_000);
    expect(buildIsStale(dir)).toBe(false);
  });

  it.each([
    ['a source file edited', (dir: string) => date(dir, 'src/deep/b.ts', 3_000_000)],
    ['a source file deleted (its folder changes)', (dir: string) => rmSync(join(dir, 'src/deep/b.ts'))],
    ['a source file added', (dir: string) => writeFileSync(join(dir, 'src/c.ts'), 'export {};\n')],
    ['the TypeScript configuration edited', (dir: string) => date(dir, 'tsconfig.json', 3_000_000)],
  ])('is stale after %s', (_what, change) => {
    const dir = project({ 'src/a.ts': 'export const a = 1;\n', 'src/deep/b.ts': 'export const b = 2;\n', 'dist/.tsbuildinfo': '{}' });
    date(dir, 'dist/.tsbuildinfo', 2_000_000);
    change(dir);
    expect(buildIsStale(dir)).toBe(true);
  });
});

describe('ensureFreshBuild', () => {
  it('builds a project never built, rebuilds what changed, and stops the run on a type error', () => {
    const dir = project({ 'src/a.ts': 'export const answer: number = 1;\n' });
    ensureFreshBuild(dir);
    expect(readFileSync(join(dir, 'dist/src/a.js'), 'utf8')).toContain('answer = 1');
    expect(buildIsStale(dir)).toBe(false);

    writeFileSync(join(dir, 'src/a.ts'), 'export const answer: number = 42;\n');
    date(dir, 'src/a.ts', Date.now() / 1000 + 60);
    ensureFreshBuild(dir);
    expect(readFileSync(join(dir, 'dist/src/a.js'), 'utf8')).toContain('answer = 42');

    writeFileSync(join(dir, 'src/a.ts'), 'export const answer: number = "forty-two";\n');
    date(dir, 'src/a.ts', Date.now() / 1000 + 120);
    expect(() => ensureFreshBuild(dir)).toThrow(/the build \(tsc -b tsconfig\.build\.json\) failed[\s\S]*src\/a\.ts.*TS2322/);
  });
});

describe('removeOrphanOutputs: no output outlives its source', () => {
  // Outputs are written by hand and the build info dated after every input, so no tsc runs here.
  const built = (files: Record<string, string>): string => {
    const dir = project({ 'src/a.ts': 'export const a = 1;\n', ...files });
    for (const [rel, text] of Object.entries({ 'dist/.tsbuildinfo': '{}', 'dist/src/a.js': 'export const a = 1;\n', 'dist/src/a.js.map': '{}' })) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    date(dir, 'dist/.tsbuildinfo', 2_000_000);
    return dir;
  };

  it('removes what was built from a source file since deleted, and keeps the rest and the build info', () => {
    const dir = built({ 'dist/src/deep/b.js': 'export const b = 2;\n', 'dist/src/deep/b.d.ts': 'export {};\n', 'dist/src/deep/notes.txt': 'not an output of tsc' });
    expect(removeOrphanOutputs(dir).sort()).toEqual(['dist/src/deep/b.d.ts', 'dist/src/deep/b.js']);
    expect(existsSync(join(dir, 'dist/src/a.js'))).toBe(true);
    expect(existsSync(join(dir, 'dist/src/a.js.map'))).toBe(true);
    expect(existsSync(join(dir, 'dist/src/deep/notes.txt'))).toBe(true);
    expect(existsSync(join(dir, 'dist/.tsbuildinfo'))).toBe(true);
  });

  it('is part of every ensureFreshBuild, even when the build is otherwise up to date', () => {
    const dir = built({ 'dist/src/gone/worker.js': 'export {};\n', 'dist/src/gone/worker.js.map': '{}' });
    expect(buildIsStale(dir)).toBe(false);
    ensureFreshBuild(dir);
    expect(existsSync(join(dir, 'dist/src/gone/worker.js'))).toBe(false);
    expect(existsSync(join(dir, 'dist/src/gone/worker.js.map'))).toBe(false);
    expect(existsSync(join(dir, 'dist/src/a.js'))).toBe(true);
  });
});
