import { diffLines } from 'diff';
import { afterEach, describe, expect, it } from 'vitest';
import { maskIssue } from '../../../src/core/render/mask-issue.js';
import { InvalidInputError } from '../../../src/errors/index.js';
import { snapshotDigest } from '../../../src/state/journal-read.js';
import { renderSnapshot, type LastApply, type Snapshot } from '../../../src/state/snapshot-format.js';
import { parseSnapshot } from '../../../src/state/snapshot-parse.js';
import { nodeFileSystem } from '../../../src/state/node-file-system.js';
import { readSnapshot } from '../../../src/state/snapshot-store.js';
import { createTempRepo, type TempRepo } from '../../helpers/temp-repo.js';
import { department, enterprise, member, openid, phone, phones, state, unionid } from '../core/builders.js';

const BIG_ID = '15314513451345123'; // > 2^53: a JS number would make it ...124

const lastApply: LastApply = {
  commit: '0123456789abcdef0123456789abcdef01234567',
  time: '2024-05-01T08:00:00.000Z',
  toolVersion: '0.1.0',
  endpoint: 'https://integrate.rabbitpre.com/api/integrate/audience/group/rel/v2/batchAdd',
  complete: true,
  requests: [
    { op: 'delete', items: 1, batchId: '9007199254740993' },
    { op: 'add', items: 3, batchId: BIG_ID },
  ],
};

const sample = (): Snapshot => ({
  applied: state(
    [enterprise('VIP客户'), [member(phone('18888888888')), member(openid('o6_b', 'wx1')), member(phone('13900000000'), unionid('oUpF8u'))]],
    [department('研发部', '1001'), [member(phone('13500000004'))]],
    [enterprise('Empty'), []],
  ),
  lastApply,
});

const parsed = (text: string, file = '.groupops/snapshot.json') => {
  const r = parseSnapshot(file, text);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.line}:${i.column}: ${i.message}`).join('\n'));
  return r.snapshot;
};

const issuesOf = (text: string) => {
  const r = parseSnapshot('.groupops/snapshot.json', text);
  if (r.ok) throw new Error('expected the snapshot to be refused');
  return r.issues;
};

describe('renderSnapshot', () => {
  it('writes a canonical document: sorted, one membership per line, empty groups left out', () => {
    expect(renderSnapshot(sample())).toMatchInlineSnapshot(`
      "{
        "schemaVersion": 1,
        "lastApply": {"commit":"0123456789abcdef0123456789abcdef01234567","time":"2024-05-01T08:00:00.000Z","toolVersion":"0.1.0","endpoint":"https://integrate.rabbitpre.com/api/integrate/audience/group/rel/v2/batchAdd","complete":true,"requests":[
          {"op":"delete","items":1,"batchId":"9007199254740993"},
          {"op":"add","items":3,"batchId":"15314513451345123"}
        ]},
        "groups": [
          {"group":{"name":"研发部","category":"department","department":{"field":"wxDeptId","value":"1001"}},"members":[
            {"identities":[{"type":"phone","value":"13500000004"}]}
          ]},
          {"group":{"name":"VIP客户","category":"enterprise"},"members":[
            {"identities":[{"type":"openid","value":"o6_b","platform":"gzh","appid":"wx1","isWeChatEcosystem":true}]},
            {"identities":[{"type":"phone","value":"13900000000"},{"type":"unionid","value":"oUpF8u"}]},
            {"identities":[{"type":"phone","value":"18888888888"}]}
          ]}
        ]
      }
      "
    `);
  });

  it('gives the same bytes whatever order the state was built in', () => {
    const reordered: Snapshot = {
      applied: state(
        [enterprise('Empty'), []],
        [department('研发部', '1001'), [member(phone('13500000004'))]],
        [enterprise('VIP客户'), [member(phone('13900000000'), unionid('oUpF8u')), member(phone('18888888888')), member(openid('o6_b', 'wx1'))]],
      ),
      lastApply,
    };
    expect(renderSnapshot(reordered)).toBe(renderSnapshot(sample()));
  });

  it('round-trips through parseSnapshot, batch IDs exact', () => {
    const text = renderSnapshot(sample());
    const back = parsed(text);
    expect(renderSnapshot(back)).toBe(text);
    expect(back.lastApply?.requests.map((r) => r.batchId)).toEqual(['9007199254740993', BIG_ID]);
    expect([...back.applied.values()].map((g) => [g.group.name, g.members.size])).toEqual([
      ['研发部', 1],
      ['VIP客户', 3],
    ]);
  });

  it('changes one line per added membership, however big the snapshot', () => {
    const before: Snapshot = { applied: state([enterprise('g'), phones(2000)]), lastApply: null };
    const after: Snapshot = { applied: state([enterprise('g'), [...phones(2000), member(phone('13899999999'))]]), lastApply: null };
    const changed = diffLines(renderSnapshot(before), renderSnapshot(after)).filter((p) => p.added || p.removed);
    const lines = changed.flatMap((p) =>
      p.value
        .split('\n')
        .filter(Boolean)
        .map((l) => `${p.added ? '+' : '-'}${l.trim()}`),
    );
    // The new last member gains a line; the old last member gains a comma.
    expect(lines.sort()).toEqual(
      ['+{"identities":[{"type":"phone","value":"13899999999"}]}', '+{"identities":[{"type":"phone","value":"13800001999"}]},', '-{"identities":[{"type":"phone","value":"13800001999"}]}'].sort(),
    );
  });

  it('writes an empty snapshot that reads back as empty', () => {
    const text = renderSnapshot({ applied: new Map(), lastApply: null });
    expect(text).toBe('{\n  "schemaVersion": 1,\n  "lastApply": null,\n  "groups": []\n}\n');
    expect(parsed(text).applied.size).toBe(0);
  });
});

describe('parseSnapshot refuses, never reads as empty', () => {
  it('a truncated file, at the line where it breaks off', () => {
    const text = renderSnapshot(sample());
    const cut = text.slice(0, text.indexOf('"13900000000"'));
    const issues = issuesOf(cut);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.line).toBe(cut.split('\n').length);
    expect(issues[0]!.message).toMatch(/not valid JSON.*restore it from git/);
  });

  it('a syntax error, at its line', () => {
    const text = renderSnapshot(sample()).replace('"complete":true,', '"complete":true,,');
    const issues = issuesOf(text);
    expect(issues[0]!.line).toBe(3);
    expect(issues[0]!.file).toBe('.groupops/snapshot.json');
  });

  it('a syntax error whose message quotes the text around it lists that text as sensitive (it may hold an identity value)', () => {
    const text = renderSnapshot(sample()).replace('"value":"13900000000"', '"value":u13900000000');
    const issue = issuesOf(text)[0]!;
    expect(issue.message).toContain('u139000000');
    expect(issue.sensitive).toHaveLength(1);
    expect(issue.sensitive![0]).toContain('u139000000');
    expect(maskIssue(issue).message).toMatch(/^the snapshot is not valid JSON \(Unexpected token 'u', \.\.\.".*\*\*\*\*.*"(\.\.\.)? is not valid JSON\)/);
    expect(maskIssue(issue).message).not.toContain('139000000');
  });

  it('an empty file', () => {
    expect(issuesOf('')[0]!.message).toContain('not valid JSON');
  });

  it('a document that does not match the schema, at the member line', () => {
    const text = renderSnapshot(sample()).replace('"value":"18888888888"', '"value":18888888888');
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.line).toBe(text.split('\n').findIndex((l) => l.includes('18888888888')) + 1);
    expect(issues[0]!.message).toContain('/groups/1/members/2/identities/0/value must be string');
  });

  it('a batch ID written as a number (it would have lost digits)', () => {
    const text = renderSnapshot(sample()).replace(`"batchId":"${BIG_ID}"`, `"batchId":${BIG_ID}`);
    expect(issuesOf(text)[0]!.message).toContain('/lastApply/requests/1/batchId must be string');
  });

  it('an unknown schema version or a missing field', () => {
    expect(issuesOf(renderSnapshot(sample()).replace('"schemaVersion": 1', '"schemaVersion": 2'))[0]!.message).toContain('/schemaVersion');
    expect(issuesOf('{"schemaVersion":1,"lastApply":null}')[0]!.message).toContain("must have required property 'groups'");
  });

  it('a member listed twice, at the second line', () => {
    const text = renderSnapshot({ applied: state([enterprise('g'), phones(2)]), lastApply: null }).replace('"value":"13800000001"', '"value":"13800000000"');
    const issues = issuesOf(text);
    expect(issues).toEqual([
      { file: '.groupops/snapshot.json', line: 7, column: 1, message: expect.stringContaining('lists member phone "13800000000" twice in group "g"'), sensitive: ['13800000000'] },
    ]);
  });

  it('a group listed twice', () => {
    const one = '{"group":{"name":"g","category":"enterprise"},"members":[{"identities":[{"type":"phone","value":"1"}]}]}';
    const issues = issuesOf(`{"schemaVersion":1,"lastApply":null,"groups":[${one},${one}]}`);
    expect(issues[0]!.message).toContain('lists group "g" twice');
  });
});

describe('readSnapshot', () => {
  let repo: TempRepo | undefined;
  afterEach(async () => {
    await repo?.cleanup();
    repo = undefined;
  });

  it('reads a missing snapshot as nothing applied yet', async () => {
    repo = await createTempRepo();
    const read = await readSnapshot(nodeFileSystem(), repo.path('.groupops/snapshot.json'));
    expect(read.snapshot.applied.size).toBe(0);
    expect(read.snapshot.lastApply).toBeNull();
    expect(read.digest).toBeNull();
  });

  it('reads a written snapshot with its batch IDs exact', async () => {
    repo = await createTempRepo({ files: { '.groupops/snapshot.json': renderSnapshot(sample()) } });
    const read = await readSnapshot(nodeFileSystem(), repo.path('.groupops/snapshot.json'));
    expect(read.snapshot.lastApply?.requests[1]?.batchId).toBe(BIG_ID);
    expect(read.digest).toBe(snapshotDigest(renderSnapshot(sample())));
  });

  it('throws InvalidInputError for a corrupt snapshot, naming the path as shown', async () => {
    repo = await createTempRepo({ files: { '.groupops/snapshot.json': '{"schemaVersion": 1, "lastApply": null, "groups": [' } });
    const err = await readSnapshot(nodeFileSystem(), repo.path('.groupops/snapshot.json'), '.groupops/snapshot.json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).issues[0]!.file).toBe('.groupops/snapshot.json');
  });

  it('throws for bytes that are not UTF-8 instead of reading them as U+FFFD', async () => {
    const text = renderSnapshot(sample());
    const bytes = Buffer.from(text.replace('18888888888', '1888888888X'));
    bytes[bytes.indexOf('X')] = 0xff;
    repo = await createTempRepo({ files: { '.groupops/snapshot.json': bytes } });
    const err = await readSnapshot(nodeFileSystem(), repo.path('.groupops/snapshot.json'), '.groupops/snapshot.json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).issues[0]!.message).toContain('not valid UTF-8');
  });
});
