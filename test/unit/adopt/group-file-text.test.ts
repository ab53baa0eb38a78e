import { afterEach, describe, expect, it } from 'vitest';
import { groupFileStem, PathAllocator, safeSegment } from '../../../src/adopt/file-names.js';
import { renderGroupFiles, type FileOut, type GroupToWrite } from '../../../src/adopt/group-file-text.js';
import type { GroupRef, Member } from '../../../src/core/model.js';
import { buildPlan, isEmptyPlan } from '../../../src/core/plan.js';
import { DEFAULT_IDENTITY_TYPES } from '../../../src/load/identity-types.js';
import { loadGroups } from '../../../src/load/load-groups.js';
import { createTempRepo, type TempRepo } from '../../helpers/temp-repo.js';
import { department, enterprise, member, openid, phone, phones, state, unionid } from '../core/builders.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const customer = (name: string): GroupRef => ({ name, category: 'enterprise', kind: 'customer' });
const byPath = (files: readonly FileOut[]) => Object.fromEntries(files.map((f) => [f.path, f.text]));

/** Writes the files into a temp groups folder and reads them back with the real loader. */
async function roundTrip(groups: readonly GroupToWrite[], files: readonly FileOut[]): Promise<void> {
  repo = await createTempRepo({ files: Object.fromEntries(files.map((f) => [`groups/${f.path}`, f.text])) });
  // memberNo is the tenant's own identity type, declared as a config's identityTypes.custom would.
  const loaded = await loadGroups('groups', repo.dir, { identityTypes: { ...DEFAULT_IDENTITY_TYPES, custom: ['memberNo'] } });
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`).join('\n'));
  const want = state(...groups.map((g): [GroupRef, Member[]] => [g.group, [...g.members]]));
  expect(isEmptyPlan(buildPlan(loaded.value.state, want))).toBe(true);
}

describe('renderGroupFiles', () => {
  it('writes one YAML file per group, members sorted by key, values always quoted, one identity as shorthand', () => {
    const files = renderGroupFiles(
      [
        { group: enterprise('VIP客户'), members: [member(phone('18888888888')), member(phone('13900000000'), unionid('oUpF8u')), member(openid('o6_b', 'wx1'))] },
        { group: { name: '平台部', category: 'department', department: { field: 'deptId', value: '9223372036854775807' } }, members: [member(phone('0123'))] },
        { group: customer('会员俱乐部'), members: [member({ type: 'audienceUserId', value: 'true' })] },
      ],
      { schemaRef: (path) => `${'../'.repeat(path.split('/').length)}schemas/group.schema.json` },
    );
    expect(byPath(files)).toEqual({
      'VIP客户.yaml': [
        '# yaml-language-server: $schema=../schemas/group.schema.json',
        'name: VIP客户',
        'category: enterprise',
        'members:',
        // Sorted by key (type, then value), as the snapshot is.
        '  - openid: "o6_b"',
        '    platform: gzh',
        '    appid: wx1',
        '    isWeChatEcosystem: true',
        '  - identities:',
        '      - { type: phone, value: "13900000000" }',
        '      - { type: unionid, value: "oUpF8u" }',
        '  - phone: "18888888888"',
        '',
      ].join('\n'),
      'departments/deptId-9223372036854775807/平台部.yaml': [
        '# yaml-language-server: $schema=../../../schemas/group.schema.json',
        'name: 平台部',
        'category: department',
        'department:',
        '  deptId: 9223372036854775807',
        'members:',
        '  - phone: "0123"',
        '',
      ].join('\n'),
      'customers/会员俱乐部.yaml': ['# yaml-language-server: $schema=../../schemas/group.schema.json', 'name: 会员俱乐部', 'kind: customer', 'members:', '  - audienceUserId: "true"', ''].join('\n'),
    });
  });

  it('above the threshold, keeps members in CSV member lists named by the YAML file, one per key type; a repeated type stays in YAML', () => {
    const twoPhones = member(phone('13800009999'), phone('13800009998'));
    const members = [...phones(3), member(unionid('u1'), phone('13900000001')), member(openid('o1', 'wx1'), phone('13900000002')), twoPhones];
    const files = renderGroupFiles([{ group: enterprise('全部客户'), members }], { csvThreshold: 2, identityOrder: ['unionid', 'openid', 'phone'] });
    expect(byPath(files)).toEqual({
      '全部客户.yaml': [
        'name: 全部客户',
        'category: enterprise',
        'memberFiles:',
        '  - 全部客户.csv',
        '  - 全部客户.openid.csv',
        '  - 全部客户.unionid.csv',
        'members:',
        '  - identities:',
        '      - { type: phone, value: "13800009999" }',
        '      - { type: phone, value: "13800009998" }',
        '',
      ].join('\n'),
      '全部客户.csv': 'phone\n13800000000\n13800000001\n13800000002\n',
      '全部客户.openid.csv': 'openid,openid.platform,openid.appid,openid.isWeChatEcosystem,phone\no1,gzh,wx1,true,13900000002\n',
      '全部客户.unionid.csv': 'unionid,phone\nu1,13900000001\n',
    });
  });

  it('quotes what CSV needs quoted, and everything reads back as the same memberships', async () => {
    const odd = ['a,b', 'say "hi"', '+8613900000000', '#x', '- y', 'null', '  '].filter((v) => v.trim() !== '');
    const groups: GroupToWrite[] = [
      { group: enterprise('Big'), members: [...phones(5), ...odd.map((v) => member({ type: 'memberNo', value: v }, phone(`1${v.length}`)))] },
      { group: enterprise('yes'), members: odd.map((v) => member({ type: 'memberNo', value: v })) },
      { group: department('研发部', '1001'), members: [member(openid('o2', 'wx2', false))] },
      { group: customer('Club'), members: [member({ type: 'audienceUserId', value: 'C1' }, unionid('u9'))] },
    ];
    const files = renderGroupFiles(groups, { csvThreshold: 3, identityOrder: ['memberNo', 'phone'] });
    expect(byPath(files)['yes.yaml']).toContain('name: "yes"');
    // memberNo keys most of Big's members: their list gets the plain name.
    expect(byPath(files)['Big.csv']).toContain('"a,b",13');
    expect(byPath(files)['Big.csv']).toContain('"say ""hi""",18');
    expect(byPath(files)['Big.phone.csv']).toBeDefined();
    await roundTrip(groups, files);
  });
});

describe('file names', () => {
  it('makes a group name a safe, visible file name', () => {
    expect(safeSegment('a/b\\c:d*e?f"g<h>i|j')).toBe('a_b_c_d_e_f_g_h_i_j');
    expect(safeSegment('.hidden')).toBe('group .hidden');
    expect(safeSegment('_draft')).toBe('group _draft');
    expect(safeSegment('CON')).toBe('CON_');
    expect(safeSegment('trailing.')).toBe('trailing_');
    expect(groupFileStem(department('研发部', '10/01'))).toBe('departments/wxDeptId-10_01/研发部');
  });

  it('never gives two files one path, also where case or normalization are ignored, nor a path that is taken', () => {
    const paths = new PathAllocator(['VIP.yaml']);
    expect(paths.allocate('vip', '.yaml')).toBe('vip (2).yaml');
    expect(paths.allocate('VIP', '.yaml')).toBe('VIP (3).yaml');
    expect(paths.allocate('Caf\u00e9', '.yaml')).toBe('Café.yaml');
    expect(paths.allocate('Cafe\u0301', '.yaml')).toBe('Cafe\u0301 (2).yaml');
    const files = renderGroupFiles([
      { group: enterprise('A'), members: phones(1) },
      { group: enterprise('a'), members: phones(1) },
      { group: enterprise('a/b'), members: phones(1) },
      { group: enterprise('a_b'), members: phones(1) },
    ]);
    expect(files.map((f) => f.path)).toEqual(['A.yaml', 'a (2).yaml', 'a_b.yaml', 'a_b (2).yaml']);
  });
});
