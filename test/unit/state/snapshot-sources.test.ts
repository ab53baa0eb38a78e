import { describe, expect, it } from 'vitest';
import { sourceContext, unchangedGroups } from '../../../src/app/group-sources.js';
import { inputsDigest, sha256Hex, sourceHash, type GroupInputs } from '../../../src/core/group-source.js';
import { groupKey } from '../../../src/core/model.js';
import { buildPlan } from '../../../src/core/plan.js';
import { InvalidInputError } from '../../../src/errors/index.js';
import { renderSnapshot, type Snapshot } from '../../../src/state/snapshot-format.js';
import { readCanonicalSnapshot } from '../../../src/state/snapshot-lines.js';
import { parseSnapshot } from '../../../src/state/snapshot-parse.js';
import { readSnapshotSections, scanSections } from '../../../src/state/snapshot-sections.js';
import { readSnapshotFile } from '../../../src/state/snapshot-store.js';
import { MemoryFileSystem } from '../../helpers/memory-file-system.js';
import { department, enterprise, member, phone, phones, state, unionid } from '../core/builders.js';

// The snapshot's per-group `source` (core/group-source.ts): written with a digest over the member
// lines as written, read back and written again unchanged, and used by a plan only when the digest
// is recomputed from the same inputs and the same lines.

const A = enterprise('A');
const D = department('研发部', '1001');
const inputs = (files: string[], tag: string): GroupInputs => ({
  files,
  inputs: inputsDigest(
    'context',
    files.map((path) => ({ path, sha256: sha256Hex(Buffer.from(`${path} ${tag}`)) })),
  ),
});

const aInputs = inputs(['groups/a.yaml', 'groups/a.csv'], '1');
const snapshot: Snapshot = {
  target: { name: 'default', baseUrl: 'https://integrate.rabbitpre.com' },
  applied: state([A, phones(3)], [D, [member(phone('13500000004'), unionid('u4'))]], [enterprise('B'), phones(1, 7)]),
  lastApply: { commit: null, time: '2026-12-06T00:00:00.000Z', toolVersion: '0.1.0', endpoint: 'https://integrate.rabbitpre.com', complete: true, requests: [] },
  sources: new Map([
    [groupKey(A), aInputs],
    [groupKey(D), inputs(['groups/d.yaml'], '2')],
  ]),
};

describe('the snapshot records each group source', () => {
  it('writes the digest over the inputs, the group line and the member lines as written, on the group last line', () => {
    const text = renderSnapshot(snapshot);
    const scanned = scanSections(Buffer.from(text))!;
    const a = scanned.sections.find((s) => s.key === groupKey(A))!;
    expect(Buffer.from(a.lines).toString()).toBe(
      '    {"group":{"name":"A","category":"enterprise"},"members":[\n' +
        '      {"identities":[{"type":"phone","value":"13800000000"}]},\n      {"identities":[{"type":"phone","value":"13800000001"}]},\n      {"identities":[{"type":"phone","value":"13800000002"}]}\n',
    );
    const want = sourceHash(aInputs.inputs).update(a.lines).digest('hex');
    expect(a.source).toEqual({ files: ['groups/a.yaml', 'groups/a.csv'], digest: want });
    expect(text).toContain(`    ],"source":{"files":["groups/a.yaml","groups/a.csv"],"digest":"${want}"}},\n`);
    // B records none: its last line is as it always was.
    expect(scanned.sections.find((s) => s.group.name === 'B')!.source).toBeUndefined();
    expect(text).toMatch(/\n {4}\]\}\n {2}\]\n\}\n$/);
  });

  it('reads the sources back line by line and as any JSON layout, and writes them again byte for byte', () => {
    const text = renderSnapshot(snapshot);
    const canonical = readCanonicalSnapshot(text)!;
    expect([...canonical.sources!.keys()].sort()).toEqual([groupKey(A), groupKey(D)].sort());
    expect(renderSnapshot(canonical)).toBe(text);
    const reflowed = parseSnapshot('s.json', JSON.stringify(JSON.parse(text), null, 1));
    expect(reflowed.ok).toBe(true);
    if (reflowed.ok) {
      expect(reflowed.snapshot.sources).toEqual(canonical.sources);
      expect(renderSnapshot(reflowed.snapshot)).toBe(text);
    }
  });

  it('refuses a source that does not match the schema, at its group, as the whole reader words it', async () => {
    const text = renderSnapshot(snapshot).replace(/"digest":"[0-9a-f]{64}"/, '"digest":"not-hex"');
    expect(readCanonicalSnapshot(text)).toBeUndefined();
    const fs = new MemoryFileSystem('/r');
    fs.put('/r/s.json', text);
    const error = await readSnapshotFile(fs, '/r/s.json', 's.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues[0]!.message).toMatch(/^the snapshot does not match its schema: \/groups\/\d\/source\/digest must match pattern/);
  });
});

describe('a plan takes a group as unchanged only from the same inputs and the same lines', () => {
  /** A snapshot file whose group A records a source over `lines` (not necessarily valid member lines). */
  function fileWith(lines: string, context: string, file: Buffer, name = 'A'): string {
    const head = `    {"group":{"name":"${name}","category":"enterprise"},"members":[\n`;
    const digest = sourceHash(inputsDigest(context, [{ path: 'groups/a.yaml', sha256: sha256Hex(file) }]))
      .update(head + lines)
      .digest('hex');
    return (
      '{\n  "schemaVersion": 1,\n  "lastApply": null,\n  "groups": [\n' +
      `${head}${lines}    ],"source":{"files":["groups/a.yaml"],"digest":"${digest}"}},\n` +
      `    {"group":{"name":"B","category":"enterprise"},"members":[\n      {"identities":[{"type":"phone","value":"13900000000"}]}\n    ]}\n  ]\n}\n`
    );
  }
  const groupFile = Buffer.from('name: A\nmembers:\n  - phone: "13800000000"\n');

  it('never parses the member lines of an unchanged group: a plan succeeds even over lines no reader accepts', async () => {
    const fs = new MemoryFileSystem('/r');
    // Three lines that are not members: parsing them would fail, so the plan shows they were never parsed.
    fs.put('/r/s.json', fileWith('      not a member\n      nor this\n      {"identities":[]}\n', 'ctx', groupFile));
    const sections = (await readSnapshotSections(fs, '/r/s.json'))!;
    const unchanged = unchangedGroups(sections, 'ctx');
    const found = unchanged.lookup('groups/a.yaml', (path) => (path === 'groups/a.yaml' ? groupFile : undefined))!;
    expect(found.key).toBe(groupKey(A));
    expect(found.entry.members.size).toBe(3);
    const read = unchanged.snapshot()!;
    expect(read.snapshot.applied.get(groupKey(A))).toBe(found.entry);
    const plan = buildPlan(new Map([[found.key, found.entry]]), read.snapshot.applied);
    // B is applied and not desired here: only its membership is deleted; A is not compared.
    expect(plan.changes.map((c) => `${c.op} ${c.group.name} ${c.member.identities[0]!.value}`)).toEqual(['delete B 13900000000']);
    // Asked for, the members are parsed then, and these lines are refused.
    expect(() => found.entry.members.get('x')).toThrow(/changed while they were read/);
  });

  it('reads the file when its bytes, a member list, the settings or the lines differ, or when two sources name it', async () => {
    const lines = '      {"identities":[{"type":"phone","value":"13800000000"}]}\n';
    const fs = new MemoryFileSystem('/r');
    fs.put('/r/s.json', fileWith(lines, 'ctx', groupFile));
    const sections = (await readSnapshotSections(fs, '/r/s.json'))!;
    const read = (path: string) => (path === 'groups/a.yaml' ? groupFile : undefined);
    expect(unchangedGroups(sections, 'ctx').lookup('groups/a.yaml', read)).toBeDefined();
    expect(unchangedGroups(sections, 'other settings').lookup('groups/a.yaml', read)).toBeUndefined();
    expect(unchangedGroups(sections, 'ctx').lookup('groups/a.yaml', () => Buffer.from(`${groupFile.toString()}  - phone: "1"\n`))).toBeUndefined();
    expect(unchangedGroups(sections, 'ctx').lookup('groups/a.yaml', () => undefined)).toBeUndefined();
    expect(unchangedGroups(sections, 'ctx').lookup('groups/b.yaml', read)).toBeUndefined();
    // The same source and inputs over other lines (a member edited in the snapshot) do not match.
    const edited = new MemoryFileSystem('/r');
    edited.put('/r/s.json', fileWith(lines, 'ctx', groupFile).replace('13800000000', '13800000001'));
    expect(unchangedGroups((await readSnapshotSections(edited, '/r/s.json'))!, 'ctx').lookup('groups/a.yaml', read)).toBeUndefined();
    // The same lines under another group name (the group renamed in the snapshot only) do not match.
    const renamed = new MemoryFileSystem('/r');
    renamed.put('/r/s.json', fileWith(lines, 'ctx', groupFile).replace('{"name":"A"', '{"name":"A2"'));
    expect(unchangedGroups((await readSnapshotSections(renamed, '/r/s.json'))!, 'ctx').lookup('groups/a.yaml', read)).toBeUndefined();
    // Two groups naming one file: neither is taken from the snapshot.
    const twice = new MemoryFileSystem('/r');
    const one = fileWith(lines, 'ctx', groupFile);
    const source = /"source":\{[^}]*\}/.exec(one)![0];
    twice.put('/r/s.json', one.replace('\n    ]}\n  ]\n}', `\n    ],${source}}\n  ]\n}`));
    const both = (await readSnapshotSections(twice, '/r/s.json'))!;
    expect(both.sections.filter((s) => s.source)).toHaveLength(2);
    expect(unchangedGroups(both, 'ctx').lookup('groups/a.yaml', read)).toBeUndefined();
  });

  it('reads the snapshot as usual beside an apply journal, and when no group records a source', async () => {
    const fs = new MemoryFileSystem('/r');
    fs.put('/r/s.json', fileWith('', 'ctx', groupFile));
    expect(await readSnapshotSections(fs, '/r/s.json')).toBeDefined();
    fs.put('/r/s.json.journal', '');
    expect(await readSnapshotSections(fs, '/r/s.json')).toBeUndefined();
    const plain = new MemoryFileSystem('/r');
    plain.put('/r/s.json', renderSnapshot({ ...snapshot, sources: new Map() }));
    expect(await readSnapshotSections(plain, '/r/s.json')).toBeUndefined();
  });

  it('covers the version, the build, the groups folder and the whole config in the settings', () => {
    const ws = { cwd: '/r', groupsDir: 'groups', statePath: 's', configPath: 'c', config: { limits: { maxFileBytes: 1 } } } as unknown as Parameters<typeof sourceContext>[0];
    const context = JSON.parse(sourceContext(ws)) as Record<string, unknown>;
    expect(Object.keys(context)).toEqual(['version', 'build', 'groups', 'config']);
    expect(context.build).toMatch(/^[0-9a-f]{64}$/);
    expect(sourceContext({ ...ws, groupsDir: 'other' })).not.toBe(sourceContext(ws));
    expect(sourceContext({ ...ws, config: { limits: { maxFileBytes: 2 } } } as typeof ws)).not.toBe(sourceContext(ws));
  });
});
