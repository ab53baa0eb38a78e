import { describe, expect, it } from 'vitest';
import { explainMembers, type ExplainGroupFile, type ExplainInput } from '../../../src/core/explain.js';
import { matchesQuery, parseMemberQuery, type MemberQuery } from '../../../src/core/member-query.js';
import { memberKey, type GroupRef, type Identity, type Member } from '../../../src/core/model.js';
import { renderExplainText } from '../../../src/core/render/explain-text.js';
import { department, enterprise, member, openid, phone, state, unionid } from './builders.js';

const q = (text: string): MemberQuery => parseMemberQuery(text)!;

describe('parseMemberQuery: what explain matches', () => {
  const id = (type: string, value: string, more: Partial<Identity> = {}): Identity => ({ type, value, ...more });

  it('matches an identity value as written, of any type', () => {
    expect(matchesQuery(id('phone', '13900000000'), q(' 13900000000 '))).toBe(true);
    expect(matchesQuery(id('custom_id', '13900000000'), q('13900000000'))).toBe(true);
    expect(matchesQuery(id('phone', '139000000001'), q('13900000000'))).toBe(false);
  });

  it('matches a member key as the text plan prints it, and as type:value or type=value', () => {
    for (const text of ['phone 13900000000', 'phone:13900000000', 'phone = 13900000000', '  + phone 13900000000', '~ phone 13900000000 + unionid u1']) {
      expect(matchesQuery(id('phone', '13900000000'), q(text)), text).toBe(true);
      expect(matchesQuery(id('unionid', '13900000000'), q(text)), text).toBe(false);
    }
  });

  it("reads the plan's platform and appid, which then must match", () => {
    const query = q('openid o6_bmjr (platform gzh, appid wx12, WeChat ecosystem)');
    expect(matchesQuery(id('openid', 'o6_bmjr', { platform: 'gzh', appid: 'wx12', isWeChatEcosystem: true }), query)).toBe(true);
    expect(matchesQuery(id('openid', 'o6_bmjr', { platform: 'gzh', appid: 'wx99', isWeChatEcosystem: true }), query)).toBe(false);
  });

  it('matches an identity, or a member, as the JSON plan prints it', () => {
    expect(matchesQuery(id('phone', '139'), q('{"type":"phone","value":"139"}'))).toBe(true);
    expect(matchesQuery(id('phone', '139'), q('{"identities":[{"type":"phone","value":"139"},{"type":"unionid","value":"u"}]}'))).toBe(true);
    expect(matchesQuery(id('unionid', 'u'), q('{"identities":[{"type":"phone","value":"139"},{"type":"unionid","value":"u"}]}'))).toBe(false);
  });

  it('matches a masked value against every value that masks to it', () => {
    expect(matchesQuery(id('phone', '13900000000'), q('139****0000'))).toBe(true);
    expect(matchesQuery(id('phone', '13911110000'), q('139****0000'))).toBe(true);
    expect(matchesQuery(id('phone', '13900000001'), q('139****0000'))).toBe(false);
    expect(matchesQuery(id('phone', '1390000'), q('139****0000'))).toBe(false);
    // Four stars alone stand for every short value: taken literally.
    expect(matchesQuery(id('x', 'abc'), q('****'))).toBe(false);
  });

  it('reads an empty query as none', () => {
    expect(parseMemberQuery('   ')).toBeUndefined();
  });
});

/** A group file whose members are written from line 4 on, one per line. */
function file(path: string, group: GroupRef, members: Member[], csv?: string): ExplainGroupFile {
  return { file: path, group, nameLine: 1, members: members.map((m, i) => ({ key: memberKey(m), member: m, line: i + 4, ...(csv ? { file: csv } : {}) })) };
}

function input(query: string, files: ExplainGroupFile[], applied: ReturnType<typeof state>, more: Partial<ExplainInput> = {}): ExplainInput {
  return {
    query: q(query),
    groups: { dir: 'groups', exists: true, files },
    applied,
    snapshot: {
      path: '.groupops/snapshot.json',
      exists: true,
      lastApply: { commit: 'c0ffee', time: '2025-01-02T03:04:05.000Z', endpoint: 'v2', complete: true, requests: [{ op: 'add', items: 2, batchId: '15314513451345123' }] },
    },
    ...more,
  };
}

describe('explainMembers', () => {
  const person = member(unionid('u1'), phone('13900000000'));
  const changed = member(unionid('u1'), phone('13911110000'));
  const vip = enterprise('VIP');
  const rd = department('RD', '1001');
  const old = enterprise('Old');
  const csv = enterprise('Bulk');

  it('finds every group of the member, by a value that is not its key, with each status', () => {
    const report = explainMembers(
      input(
        '13900000000',
        [file('groups/vip.yaml', vip, [phone1(), person]), file('groups/rd.yaml', rd, [person]), file('groups/bulk.yaml', csv, [changed], 'groups/bulk.csv'), file('groups/old.yaml', old, [])],
        state([vip, [person]], [csv, [person]], [old, [person]], [enterprise('Gone'), [person]]),
      ),
    );
    expect(report.members).toHaveLength(1);
    expect(report.members[0]!.key).toEqual(unionid('u1'));
    const byGroup = Object.fromEntries(report.members[0]!.memberships.map((m) => [m.group.name, m]));
    expect(Object.keys(byGroup).sort()).toEqual(['Bulk', 'Gone', 'Old', 'RD', 'VIP']);
    expect(byGroup.VIP).toMatchObject({ status: 'applied', written: { file: 'groups/vip.yaml', line: 5, groupFile: 'groups/vip.yaml' }, recorded: { identities: person.identities } });
    expect(byGroup.RD).toMatchObject({ status: 'pending-add', written: { file: 'groups/rd.yaml', line: 4 }, declaredIn: { file: 'groups/rd.yaml', line: 1 } });
    expect(byGroup.RD!.recorded).toBeUndefined();
    // The CSV list names the new phone only: matched through the snapshot, both sides shown.
    expect(byGroup.Bulk).toMatchObject({
      status: 'pending-update',
      written: { file: 'groups/bulk.csv', line: 4, groupFile: 'groups/bulk.yaml', identities: changed.identities },
      recorded: { identities: person.identities },
    });
    expect(byGroup.Old).toMatchObject({ status: 'pending-delete', declaredIn: { file: 'groups/old.yaml', line: 1 } });
    expect(byGroup.Gone!.status).toBe('pending-delete');
    expect(byGroup.Gone!.declaredIn).toBeUndefined();
  });

  it('lists members apart by key, sorted, and nothing for a value no one has', () => {
    const a = member(phone('13900000000'));
    const b = member(unionid('u2'), phone('13900000000'));
    const report = explainMembers(input('13900000000', [file('groups/vip.yaml', vip, [b, a])], state()));
    expect(report.members.map((m) => m.key)).toEqual([phone('13900000000'), unionid('u2')]);
    expect(explainMembers(input('13800000000', [file('groups/vip.yaml', vip, [b, a])], state())).members).toEqual([]);
  });

  it('names the batch of a pending journal that carried the membership', () => {
    const journal = {
      path: '.groupops/snapshot.json.journal',
      started: '2025-01-01T00:00:00.000Z',
      commit: 'abc',
      records: [
        { op: 'add' as const, batchId: '15314513451345999', items: [{ member: person, category: 'department' as const, department: { field: 'wxDeptId' as const, value: '1001' }, groups: ['RD'] }] },
        { op: 'add' as const, batchId: '15314513451346000', items: [{ member: member(phone('1')), category: 'enterprise' as const, groups: ['VIP'] }] },
      ],
    };
    const report = explainMembers(input('u1', [file('groups/rd.yaml', rd, [person])], state([rd, [person]]), { journal }));
    expect(report.members[0]!.memberships[0]).toMatchObject({ status: 'applied', journal: { op: 'add', batchId: '15314513451345999' } });
    expect(report.journal).toEqual({ path: journal.path, started: journal.started, commit: 'abc', requests: 2 });
    const text = renderExplainText(report, { color: false, mask: false });
    expect(text).toContain('= RD (department, wxDeptId 1001): applied by add batch 15314513451345999 of an interrupted apply (in the journal .groupops/snapshot.json.journal');
  });

  it('renders each status in group order (as the plan), the file and line, written and recorded identities, and the last apply', () => {
    const report = explainMembers(
      input(
        'phone 13900000000',
        [file('groups/vip.yaml', vip, [person]), file('groups/bulk.yaml', csv, [changed], 'groups/bulk.csv'), file('groups/rd.yaml', rd, [person])],
        state([vip, [person]], [csv, [person]], [old, [person]]),
      ),
    );
    expect(renderExplainText(report, { color: false, mask: false })).toBe(
      [
        '"phone 13900000000" matches 1 member, in 4 groups:',
        '',
        'member unionid u1',
        '  + RD (department, wxDeptId 1001): pending add (written, not applied yet: the next apply adds it)',
        '      written at groups/rd.yaml:4: unionid u1 + phone 13900000000',
        '  ~ Bulk (enterprise): pending update (its identities changed: the next apply re-sends it as an add)',
        '      written at groups/bulk.csv:4 (member list of groups/bulk.yaml): unionid u1 + phone 13911110000',
        '      recorded in the snapshot: unionid u1 + phone 13900000000',
        '  - Old (enterprise): pending delete (no group file declares this group any more: the next apply deletes the membership; the group itself stays on the platform)',
        '      recorded in the snapshot: unionid u1 + phone 13900000000',
        '  = VIP (enterprise): applied',
        '      written at groups/vip.yaml:4: unionid u1 + phone 13900000000',
        '      recorded in the snapshot: unionid u1 + phone 13900000000',
        '',
        "The snapshot's last apply: commit c0ffee, 2025-01-02T03:04:05.000Z, 1 request: add batch 15314513451345123. A membership recorded as applied was sent by it or by an apply before it.",
        '',
      ].join('\n'),
    );
  });

  it('masks values on request, the query too', () => {
    const report = explainMembers(input('13900000000', [file('groups/vip.yaml', vip, [member(phone('13900000000'), openid('o6_bmjrPTlm6', 'wx12'))])], state()));
    const text = renderExplainText(report, { color: false, mask: true });
    expect(text).not.toContain('13900000000');
    expect(text).toContain('"139****0000" matches 1 member');
    expect(text).toContain('phone 139****0000 + openid o6_****Tlm6 (platform gzh, appid wx12, WeChat ecosystem)');
  });

  it('says so when nothing matches, when there is no snapshot, and when the groups folder is missing', () => {
    const text = renderExplainText(
      explainMembers(input('nobody', [], state(), { groups: { dir: 'groups', exists: false, files: [] }, snapshot: { path: '.groupops/snapshot.json', exists: false, lastApply: null } })),
      { color: false, mask: false },
    );
    expect(text).toContain('Nothing matches "nobody": no member of the group files (groups/) or the snapshot (.groupops/snapshot.json) has an identity with this value.');
    expect(text).toContain('Note: the groups folder "groups" does not exist');
    expect(text).toContain('No snapshot yet (.groupops/snapshot.json): nothing was applied, so every membership written is pending.');
    expect(text).not.toContain('unchanged');
  });
});

function phone1(): Member {
  return member(phone('13800000001'));
}
