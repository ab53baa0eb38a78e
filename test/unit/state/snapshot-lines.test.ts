import { afterEach, describe, expect, it } from 'vitest';
import type { GroupRef } from '../../../src/core/model.js';
import { InvalidInputError } from '../../../src/errors/index.js';
import { snapshotDigest } from '../../../src/state/journal-read.js';
import { renderSnapshot, type LastApply, type Snapshot } from '../../../src/state/snapshot-format.js';
import { readCanonicalSnapshot } from '../../../src/state/snapshot-lines.js';
import { parseSnapshot } from '../../../src/state/snapshot-parse.js';
import { nodeFileSystem } from '../../../src/state/node-file-system.js';
import { readSnapshotFile } from '../../../src/state/snapshot-store.js';
import { createTempRepo, type TempRepo } from '../../helpers/temp-repo.js';
import { department, enterprise, member, openid, phone, phones, state, unionid } from '../core/builders.js';

// The line reader must give exactly what the whole-document reader gives for what renderSnapshot
// writes, and step aside (undefined) for anything else, so that the whole reader reports it.

const customer = (name: string): GroupRef => ({ name, category: 'enterprise', kind: 'customer' });

const lastApply = (requests: LastApply['requests']): LastApply => ({
  commit: null,
  time: '2024-05-01T08:00:00.000Z',
  toolVersion: '0.1.0',
  endpoint: 'https://integrate.rabbitpre.com/api/integrate/audience/group/rel/v2/batchAdd',
  complete: false,
  applyId: 'a1',
  requests,
});

const samples: Record<string, Snapshot> = {
  'nothing applied': { applied: new Map(), lastApply: null },
  'no requests': { applied: state([enterprise('VIP'), phones(2)]), lastApply: lastApply([]) },
  'every kind of group and member': {
    applied: state(
      [enterprise('VIP客户'), [member(phone('18888888888')), member(openid('o6_b', 'wx1')), member(phone('13900000000'), unionid('oUpF8u'))]],
      [department('研发部', '1001'), [member(phone('13500000004'))]],
      [customer('会员'), [member(phone('13500000005'))]],
      [enterprise('quote " and \\ and \u0001'), [member({ type: 'phone', value: 'a "b" \\ c' })]],
    ),
    lastApply: lastApply([
      { op: 'delete', items: 1, batchId: '9007199254740993' },
      { op: 'add', items: 3, batchId: '15314513451345123', status: 'partial', notApplied: 1 },
      { op: 'add', items: 0, endpoint: 'https://example.invalid/customer', status: 'unknown', notApplied: 2 },
    ]),
  },
};

/** The whole-document reader's result: a space after the opening brace leaves the canonical layout. */
const wholeRead = (text: string) => {
  const r = parseSnapshot('s.json', text.replace('{\n', '{ \n'));
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return r.snapshot;
};

describe('readCanonicalSnapshot', () => {
  it.each(Object.keys(samples))('reads what renderSnapshot writes (%s) as the whole-document reader does', (name) => {
    const text = renderSnapshot(samples[name]!);
    const lines = readCanonicalSnapshot(text);
    expect(lines).toBeDefined();
    expect(lines).toEqual(wholeRead(text));
    expect(renderSnapshot(lines!)).toBe(text);
  });

  it.each(Object.keys(samples))('reads the same from the bytes, line by line (%s)', (name) => {
    const text = renderSnapshot(samples[name]!);
    expect(readCanonicalSnapshot(Buffer.from(text))).toEqual(readCanonicalSnapshot(text));
  });

  it('keeps every membership of a large group, in one map per group', () => {
    const text = renderSnapshot({ applied: state([enterprise('g'), phones(5000)], [enterprise('h'), phones(3, 7)]), lastApply: null });
    const read = readCanonicalSnapshot(text)!;
    expect([...read.applied.values()].map((g) => g.members.size)).toEqual([5000, 3]);
  });

  const text = renderSnapshot(samples['every kind of group and member']!);
  const variants: Record<string, string> = {
    'CRLF line ends': text.replace(/\n/g, '\r\n'),
    'no final line feed': text.slice(0, -1),
    'reformatted JSON': JSON.stringify(JSON.parse(text), null, 2),
    'a comma after the last member': text.replace('{"identities":[{"type":"phone","value":"13500000004"}]}', '{"identities":[{"type":"phone","value":"13500000004"}]},'),
    'a missing comma between members': text.replace('"isWeChatEcosystem":true}]},', '"isWeChatEcosystem":true}]}'),
    'a member that breaks the schema': text.replace('"value":"13500000004"', '"value":13500000004'),
    'an unknown member field': text.replace('{"identities":[{"type":"phone","value":"13500000004"}]}', '{"identities":[{"type":"phone","value":"13500000004"}],"x":1}'),
    'a group that breaks the schema': text.replace('"category":"department"', '"category":"team"'),
    'a lastApply that breaks the schema': text.replace('"batchId":"9007199254740993"', '"batchId":9007199254740993'),
    'a member listed twice': text.replace('{"identities":[{"type":"phone","value":"13900000000"},{"type":"unionid","value":"oUpF8u"}]}', '{"identities":[{"type":"phone","value":"18888888888"}]}'),
    'a group listed twice': text.replace('"name":"会员"', '"name":"VIP客户","category":"enterprise"').replace('"kind":"customer"},', '},'),
    'another schema version': text.replace('"schemaVersion": 1', '"schemaVersion": 2'),
    'text after the document': `${text}\n`,
  };

  it.each(Object.keys(variants))('steps aside for %s, and parseSnapshot answers as the whole reader does', (name) => {
    const variant = variants[name]!;
    expect(readCanonicalSnapshot(variant)).toBeUndefined();
    const parsed = parseSnapshot('s.json', variant);
    let whole: ReturnType<typeof parseSnapshot>;
    try {
      whole = { ok: true, snapshot: wholeRead(variant) };
    } catch {
      whole = parseSnapshot('s.json', variant.replace('{', '{ '));
    }
    expect(parsed.ok).toBe(whole.ok);
    if (parsed.ok && whole.ok) expect(parsed.snapshot).toEqual(whole.snapshot);
  });

  it('reports a member listed twice with its line, as before', () => {
    const r = parseSnapshot('s.json', variants['a member listed twice']!);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ line: 15, message: expect.stringContaining('twice in group "VIP客户"') as unknown });
  });
});

describe('readSnapshotFile', () => {
  let repo: TempRepo | undefined;
  afterEach(async () => {
    await repo?.cleanup();
    repo = undefined;
  });
  const text = renderSnapshot(samples['every kind of group and member']!);

  it.each([
    ['canonical', Buffer.from(text)],
    ['with a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
    ['reformatted', Buffer.from(JSON.stringify(JSON.parse(text), null, 2))],
  ])('gives the snapshot and the digest of the text a UTF-8 decoder gives (%s)', async (_name, bytes) => {
    repo = await createTempRepo({ files: { 's.json': bytes } });
    const read = await readSnapshotFile(nodeFileSystem(), repo.path('s.json'));
    const decoded = new TextDecoder().decode(bytes);
    expect(read.digest).toBe(snapshotDigest(decoded));
    expect(read.snapshot).toEqual(wholeRead(decoded.startsWith('{\n') ? decoded : text));
  });

  it('refuses bytes that are not UTF-8, naming the file', async () => {
    const bytes = Buffer.from(text.replace('13500000004', '1350000000X'));
    bytes[bytes.indexOf('X')] = 0xff;
    repo = await createTempRepo({ files: { 's.json': bytes } });
    const err = await readSnapshotFile(nodeFileSystem(), repo.path('s.json'), 's.json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).issues[0]).toMatchObject({ file: 's.json', line: 1, message: expect.stringContaining('not valid UTF-8') as unknown });
  });
});
