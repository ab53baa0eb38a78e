import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyWorkspace, type ApplyDeps, type ApplyOutcome } from '../../src/app/apply.js';
import { openWorkspace } from '../../src/app/workspace.js';
import { FileSystemError } from '../../src/errors/index.js';
import type { FileSystem } from '../../src/state/file-system.js';
import { readSnapshot } from '../../src/state/snapshot-store.js';
import { FaultyFileSystem, type Fault } from '../helpers/faulty-file-system.js';
import { MemoryFileSystem } from '../helpers/memory-file-system.js';
import { FakeApi } from './fake-api.js';
import { groupYaml, membershipKeys, phones, tempWorkspace } from './workspace-fixture.js';

const STATE = '.groupops/snapshot.json';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/**
 * A workspace whose snapshot (in memory) records 100 members of A, its group files asking for
 * 1100: an apply of two add requests.
 */
async function appliedWorkspace() {
  const ws = await tempWorkspace({ 'groups/a.yaml': groupYaml('A', phones(0, 100)) });
  cleanup = ws.cleanup;
  const disk = new MemoryFileSystem(ws.dir);
  const api = new FakeApi();
  expect((await run(ws.dir, api, disk)).outcome?.status).toBe('applied');
  await ws.write({ 'groups/a.yaml': groupYaml('A', phones(0, 1100)) });
  return { ws, disk, api, before: disk.text(join(ws.dir, STATE))! };
}

/** Applies through `fs`, collecting warnings; the failure, if it throws. */
async function run(dir: string, api: FakeApi, fs: FileSystem): Promise<{ outcome?: ApplyOutcome; error?: unknown; warnings: string[] }> {
  const warnings: string[] = [];
  let tick = 0;
  const deps: ApplyDeps = {
    api,
    fileSystem: fs,
    concurrency: 1,
    clock: () => new Date(Date.UTC(2024, 4, 1, 10, 0, tick++)),
    gitCommit: async () => null,
    toolVersion: '9.9.9',
    progress: { warn: (m) => warnings.push(m) },
  };
  try {
    return { outcome: await applyWorkspace(await openWorkspace({ cwd: dir }), deps), warnings };
  } catch (error) {
    return { error, warnings };
  }
}

function faulty(disk: MemoryFileSystem, dir: string, ...faults: Fault[]): FaultyFileSystem {
  return new FaultyFileSystem(disk, faults, dir);
}

async function recorded(disk: MemoryFileSystem, dir: string): Promise<Set<string>> {
  return membershipKeys((await readSnapshot(disk, join(dir, STATE))).snapshot.applied);
}

describe('file-system faults during apply: reported as what they are, nothing acknowledged lost', () => {
  const beforeSending: [string, Fault, RegExp][] = [
    [
      'a read-only file system when taking the lock',
      { operation: 'create', path: /\.lock\.\d+\.tmp$/, errno: 'EROFS' },
      /^could not create \.groupops\/snapshot\.json\.lock\.\d+\.tmp: the file system is read-only \(EROFS\)\nNothing was sent, and the snapshot is unchanged\.\nRun groupops where the work tree can be written/,
    ],
    [
      'a snapshot that cannot be read',
      { operation: 'read', path: /snapshot\.json$/, errno: 'EACCES' },
      /^could not read \.groupops\/snapshot\.json: permission denied \(EACCES\)\nNothing was sent, and the snapshot is unchanged\.\nCheck the permissions of \.groupops\/snapshot\.json/,
    ],
    [
      'a full disk when starting the journal',
      { operation: 'sync', path: /\.journal$/, errno: 'ENOSPC' },
      /^could not sync \.groupops\/snapshot\.json\.journal to disk: the disk is full \(ENOSPC\)\nNothing was sent, and the snapshot is unchanged\./,
    ],
    ['too many open files', { operation: 'create', path: /\.journal$/, errno: 'EMFILE' }, /too many files are open in this process \(EMFILE\)\nNothing was sent/],
  ];
  for (const [what, fault, message] of beforeSending) {
    it(`${what}: nothing sent, the snapshot as it was, a clean rerun`, async () => {
      const { ws, disk, api, before } = await appliedWorkspace();
      const sent = api.log.length;
      const { error } = await run(ws.dir, api, faulty(disk, ws.dir, fault));
      expect(error).toBeInstanceOf(FileSystemError);
      expect((error as Error).message).toMatch(message);
      expect(api.log).toHaveLength(sent);
      expect(disk.text(join(ws.dir, STATE))).toBe(before);
      expect(disk.paths().filter((p) => p.includes('.groupops/'))).toEqual([join(ws.dir, STATE)]);
      expect((await run(ws.dir, api, disk)).outcome?.status).toBe('applied');
      expect(await recorded(disk, ws.dir)).toEqual(api.held);
    });
  }

  it('a rename that is refused (EPERM) keeps the old snapshot and the journal, and says so', async () => {
    const { ws, disk, api, before } = await appliedWorkspace();
    const { error } = await run(ws.dir, api, faulty(disk, ws.dir, { operation: 'rename', path: /snapshot\.json\.\d+\.tmp$/, errno: 'EPERM' }));
    expect(error).toBeInstanceOf(FileSystemError);
    expect((error as Error).message).toMatch(
      /^could not rename \.groupops\/snapshot\.json\.\d+\.tmp to \.groupops\/snapshot\.json: operation not permitted \(EPERM\)\nNothing acknowledged was lost: the 2 acknowledged requests are recorded in \.groupops\/snapshot\.json\.journal \(synced to disk\)/,
    );
    expect(disk.text(join(ws.dir, STATE))).toBe(before);
    // The half-written copy is gone; the journal stays, and readers fold it.
    expect(disk.paths().filter((p) => p.includes('.groupops/'))).toEqual([join(ws.dir, STATE), join(ws.dir, `${STATE}.journal`)]);
    expect(await recorded(disk, ws.dir)).toEqual(api.held);
    const rerun = await run(ws.dir, api, disk);
    expect(rerun.outcome).toMatchObject({ status: 'unchanged', recovered: 2, snapshotWritten: true });
    expect(api.log).toHaveLength(3);
  });

  it("a recovery that cannot write the snapshot keeps the interrupted apply's journal, and sends nothing", async () => {
    const { ws, disk, api, before } = await appliedWorkspace();
    await run(ws.dir, api, faulty(disk, ws.dir, { operation: 'write', path: /snapshot\.json\.\d+\.tmp$/, errno: 'ENOSPC' }));
    const journal = disk.text(join(ws.dir, `${STATE}.journal`));
    expect(journal).toBeDefined();
    const sent = api.log.length;
    const { error } = await run(ws.dir, api, faulty(disk, ws.dir, { operation: 'write', path: /snapshot\.json\.\d+\.tmp$/, errno: 'ENOSPC' }));
    expect((error as Error).message).toMatch(
      /^could not write \.groupops\/snapshot\.json\.\d+\.tmp: the disk is full \(ENOSPC\)\nNothing was sent\. \.groupops\/snapshot\.json\.journal still holds the 2 requests an interrupted apply had acknowledged, so nothing acknowledged was lost/,
    );
    expect(api.log).toHaveLength(sent);
    expect(disk.text(join(ws.dir, STATE))).toBe(before);
    expect(disk.text(join(ws.dir, `${STATE}.journal`))).toBe(journal);
  });

  it('a journal or lock that cannot be removed after the snapshot is written is a warning, not a failure', async () => {
    const { ws, disk, api } = await appliedWorkspace();
    const { outcome, warnings } = await run(ws.dir, api, faulty(disk, ws.dir, { operation: 'remove', path: /\.journal$|\.lock$/, errno: 'EACCES' }));
    expect(outcome?.status).toBe('applied');
    expect(warnings).toEqual([
      expect.stringMatching(/^could not remove \.groupops\/snapshot\.json\.journal: permission denied \(EACCES\)\. \.groupops\/snapshot\.json holds every request it records/),
      expect.stringMatching(/^could not remove \.groupops\/snapshot\.json\.lock: permission denied \(EACCES\)\. The apply is not affected/),
    ]);
    // The journal left behind is recognised as folded: the next apply sends nothing and tidies up.
    expect(await recorded(disk, ws.dir)).toEqual(api.held);
    const sent = api.log.length;
    expect((await run(ws.dir, api, disk)).outcome).toMatchObject({ status: 'unchanged', recovered: 0 });
    expect(api.log).toHaveLength(sent);
    expect(disk.paths().filter((p) => p.includes('.groupops/'))).toEqual([join(ws.dir, STATE)]);
  });
});
