import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSystemError, GroupopsError, InvalidInputError } from '../../../src/errors/index.js';
import { EXIT, exitCodeFor } from '../../../src/cli/exit-codes.js';
import type { FileSystem } from '../../../src/state/file-system.js';
import { toFileSystemError } from '../../../src/state/fs-error.js';
import { nodeFileSystem } from '../../../src/state/node-file-system.js';
import { errnoError } from '../../helpers/faulty-file-system.js';
import { MemoryFileSystem } from '../../helpers/memory-file-system.js';

const text = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'));

/** The port's contract, held by the real adapter on a temp folder and by the in-memory one the durability tests use. */
const adapters: [string, (root: string) => FileSystem][] = [
  ['nodeFileSystem', (root) => nodeFileSystem({ displayRoot: root })],
  ['MemoryFileSystem', (root) => new MemoryFileSystem(root)],
];

for (const [name, make] of adapters) {
  describe(`the FileSystem port: ${name}`, () => {
    let root: string;
    let fs: FileSystem;
    beforeEach(async () => {
      root = await mkdtemp(join(tmpdir(), 'groupops-fs-'));
      fs = make(root);
    });
    afterEach(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('reads a missing file as undefined, and writes pieces in order', async () => {
      const path = join(root, 'a.json');
      expect(await fs.readFile(path)).toBeUndefined();
      expect(await fs.stamp(path)).toBeUndefined();
      expect(await fs.readPieces(path, () => undefined)).toBe(false);
      const file = await fs.create(path);
      await file.write([Buffer.from('{"a":'), Buffer.from('"客"'), Buffer.from('}')]);
      await file.datasync();
      const first = await fs.stamp(path);
      await file.write([Buffer.from('\n')]);
      await file.sync();
      await file.close();
      expect(text(await fs.readFile(path))).toBe('{"a":"客"}\n');
      const pieces: Uint8Array[] = [];
      expect(await fs.readPieces(path, (p) => pieces.push(p))).toBe(true);
      expect(Buffer.concat(pieces).toString('utf8')).toBe('{"a":"客"}\n');
      expect(await fs.stamp(path)).not.toBe(first);
    });

    it('empties a file it creates over, and creates exclusively only where nothing is', async () => {
      const path = join(root, 'lock');
      const first = (await fs.createExclusive(path))!;
      await first.write([Buffer.from('holder')]);
      await first.close();
      expect(await fs.createExclusive(path)).toBeUndefined();
      await (await fs.create(path)).close();
      expect(text(await fs.readFile(path))).toBe('');
    });

    it('renames over a file, links once, and removes a file once', async () => {
      const a = join(root, 'a');
      const b = join(root, 'b');
      for (const [path, body] of [
        [a, 'new'],
        [b, 'old'],
      ] as const) {
        const f = await fs.create(path);
        await f.write([Buffer.from(body)]);
        await f.close();
      }
      await fs.rename(a, b);
      expect(await fs.readFile(a)).toBeUndefined();
      expect(text(await fs.readFile(b))).toBe('new');
      expect(await fs.link(b, a)).toBe('linked');
      expect(await fs.link(b, a)).toBe('exists');
      expect(text(await fs.readFile(a))).toBe('new');
      expect(await fs.remove(a)).toBe(true);
      expect(await fs.remove(a)).toBe(false);
      expect(text(await fs.readFile(b))).toBe('new');
    });

    it('makes folders and says which it made, lists them, and removes only empty ones', async () => {
      const deep = join(root, 'x', 'y');
      expect(await fs.makeFolder(deep)).toBe(join(root, 'x'));
      expect(await fs.makeFolder(deep)).toBeUndefined();
      await (await fs.create(join(deep, 'f'))).close();
      expect(await fs.list(deep)).toEqual(['f']);
      await fs.syncFolder(deep);
      expect(await fs.removeFolder(join(root, 'x'))).toBe('not-empty');
      await fs.remove(join(deep, 'f'));
      expect(await fs.removeFolder(deep)).toBe('removed');
      expect(await fs.removeFolder(deep)).toBe('absent');
    });

    it('reports a folder where a file should be, and a file where a folder should be, as what they are', async () => {
      await fs.makeFolder(join(root, 'snapshot.json'));
      const isDir = await fs.readFile(join(root, 'snapshot.json')).catch((e: unknown) => e);
      expect(isDir).toBeInstanceOf(FileSystemError);
      expect(isDir).toMatchObject({ errno: 'EISDIR', path: 'snapshot.json', code: 'FILE_SYSTEM' });
      expect((isDir as Error).message).toMatch(/^could not read snapshot\.json: it is a folder, where groupops needs a file \(EISDIR\)\nMove the folder snapshot\.json out of the way/);
      await (await fs.create(join(root, 'file'))).close();
      const notDir = await fs.create(join(root, 'file', 'snapshot.json')).catch((e: unknown) => e);
      expect(notDir).toMatchObject({ errno: 'ENOTDIR', code: 'FILE_SYSTEM' });
      expect((notDir as Error).message).toContain('could not create file/snapshot.json: a part of the path is a file, where groupops needs a folder (ENOTDIR)');
      const missing = await fs.create(join(root, 'none', 'snapshot.json')).catch((e: unknown) => e);
      expect(missing).toMatchObject({ errno: 'ENOENT', code: 'FILE_SYSTEM' });
    });
  });
}

describe('nodeFileSystem and files a pull request may plant', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'groupops-fs-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a FIFO or a device unread, as invalid input naming what it is', async () => {
    const fs = nodeFileSystem({ displayRoot: root });
    execFileSync('mkfifo', [join(root, 'snapshot.json.journal')]);
    await symlink('/dev/zero', join(root, 'snapshot.json'));
    for (const read of [() => fs.readFile(join(root, 'snapshot.json.journal')), () => fs.readPieces(join(root, 'snapshot.json.journal'), () => undefined)]) {
      const err = await read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).issues).toEqual([{ file: 'snapshot.json.journal', line: 1, column: 1, message: 'this is a named pipe (FIFO), not a regular file: remove it' }]);
    }
    const device = await fs.readFile(join(root, 'snapshot.json')).catch((e: unknown) => e);
    expect((device as InvalidInputError).issues[0]?.message).toBe('this is a device, not a regular file: remove it');
  });
});

describe('toFileSystemError', () => {
  const cases: [string, RegExp][] = [
    ['ENOSPC', /could not write \.groupops\/snapshot\.json\.9\.tmp: the disk is full \(ENOSPC\)\nFree some space on that disk/],
    ['EDQUOT', /the disk quota is used up \(EDQUOT\)/],
    ['EROFS', /the file system is read-only \(EROFS\)\nRun groupops where the work tree can be written/],
    ['EACCES', /permission denied \(EACCES\)\nCheck the permissions of \.groupops\/snapshot\.json\.9\.tmp and of its folder/],
    ['EPERM', /operation not permitted \(EPERM\)/],
    ['EISDIR', /it is a folder, where groupops needs a file \(EISDIR\)/],
    ['ENOTDIR', /a part of the path is a file, where groupops needs a folder \(ENOTDIR\)/],
    ['EMFILE', /too many files are open in this process \(EMFILE\)\nRaise the limit of open files \(ulimit -n\)/],
    ['ENFILE', /too many files are open on this system \(ENFILE\)/],
    ['EIO', /an input\/output error/],
    ['EWHATEVER', /an unexpected file-system error \(EWHATEVER\)\nCheck the disk and the path/],
  ];
  for (const [code, message] of cases) {
    it(`says what ${code} is and what to do, with the path as the user knows it, and exits 1`, () => {
      const err = toFileSystemError(errnoError(code), 'write', '/repo/.groupops/snapshot.json.9.tmp', '/repo');
      expect(err).toBeInstanceOf(FileSystemError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toMatch(/internal error|injected|\/repo\//);
      expect(exitCodeFor(err)).toBe(EXIT.error);
    });
  }

  it('names both paths of a rename, shows paths outside the work tree whole, and leaves other errors alone', () => {
    expect((toFileSystemError(errnoError('EXDEV'), 'rename', '/repo/a.tmp', '/repo', '/repo/a') as Error).message).toMatch(/^could not rename a\.tmp to a: /);
    expect((toFileSystemError(errnoError('EACCES'), 'read', '/elsewhere/s.json', '/repo') as FileSystemError).path).toBe('/elsewhere/s.json');
    const bug = new TypeError('x is not a function');
    expect(toFileSystemError(bug, 'read', '/repo/s.json', '/repo')).toBe(bug);
  });

  it('adds what the failure means for the apply, keeping the rest', () => {
    const err = toFileSystemError(errnoError('ENOSPC'), 'write', '/r/j', '/r') as FileSystemError;
    const explained = err.withConsequence('Nothing acknowledged was lost.');
    expect(explained).toBeInstanceOf(GroupopsError);
    expect(explained.message).toBe('could not write j: the disk is full (ENOSPC)\nNothing acknowledged was lost.\nFree some space on that disk, then run the command again.');
    expect(explained).toMatchObject({ errno: 'ENOSPC', path: 'j', consequence: 'Nothing acknowledged was lost.' });
  });
});
