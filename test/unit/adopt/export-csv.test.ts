import { describe, expect, it } from 'vitest';
import { readExport, type ExportContents } from '../../../src/adopt/export-csv.js';
import type { ExportColumnOptions } from '../../../src/adopt/export-columns.js';
import type { SourceIssue } from '../../../src/errors/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function read(text: string, options: ExportColumnOptions = {}): ExportContents {
  const r = readExport('export.csv', bytes(text), options);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.line}:${i.column}: ${i.message}`).join('\n'));
  return r.value;
}

function problems(text: string | Uint8Array, options: ExportColumnOptions = {}): string[] {
  const r = readExport('export.csv', typeof text === 'string' ? bytes(text) : text, options);
  if (r.ok) throw new Error('expected the export to be refused');
  return r.issues.map((i: SourceIssue) => `${i.line}:${i.column}: ${i.message}`);
}

describe('readExport', () => {
  it('reads one membership per row into groups: enterprise, department and customer, identities in column order', () => {
    const value = read(
      [
        'group,category,wxDeptId,deptId,kind,phone,unionid,openid,openid.platform,openid.appid,openid.isWeChatEcosystem,audienceUserId',
        'VIP客户,,,,,18888888888,oUpF8u,,,,,',
        'VIP客户,,,,,,,o6_b,gzh,wx1,TRUE,',
        'VIP客户,,,,,18888888888,oUpF8u,,,,,',
        '研发部,department,1001,,,13500000004,,,,,,',
        '平台部,department,,000123456789012345678,,13500000004,,,,,,',
        '会员俱乐部,,,,customer,,,,,,,C100231',
        '',
      ].join('\r\n'),
    );
    expect(value.identityTypes).toEqual(['phone', 'unionid', 'openid', 'audienceUserId']);
    expect(value.rows).toBe(6);
    const groups = value.groups.map((g) => ({ group: g.group, line: g.line, members: [...g.members.values()].map((m) => ({ identities: m.member.identities, line: m.line })) }));
    expect(groups).toEqual([
      {
        group: { name: 'VIP客户', category: 'enterprise' },
        line: 2,
        members: [
          // The same row twice is one membership.
          {
            identities: [
              { type: 'phone', value: '18888888888' },
              { type: 'unionid', value: 'oUpF8u' },
            ],
            line: 2,
          },
          { identities: [{ type: 'openid', value: 'o6_b', platform: 'gzh', appid: 'wx1', isWeChatEcosystem: true }], line: 3 },
        ],
      },
      { group: { name: '研发部', category: 'department', department: { field: 'wxDeptId', value: '1001' } }, line: 5, members: [{ identities: [{ type: 'phone', value: '13500000004' }], line: 5 }] },
      // deptId is a long: its digits are kept exactly.
      {
        group: { name: '平台部', category: 'department', department: { field: 'deptId', value: '123456789012345678' } },
        line: 6,
        members: [{ identities: [{ type: 'phone', value: '13500000004' }], line: 6 }],
      },
      { group: { name: '会员俱乐部', category: 'enterprise', kind: 'customer' }, line: 7, members: [{ identities: [{ type: 'audienceUserId', value: 'C100231' }], line: 7 }] },
    ]);
  });

  it('refuses a column it does not know, at its position, saying how to ignore it or declare it as an identity type', () => {
    expect(problems('group,phone,Name,e-mail\nA,18800000001,张三,a@b.c\n')).toEqual([
      '1:13: column "Name" is not a group, department or identity column: leave it out with --ignore-column Name, or, if it holds an identity type of your tenant, declare it with --identity-type Name (docs/adopting.md lists the columns)',
      '1:18: column "e-mail" is not a group, department or identity column: leave it out with --ignore-column e-mail (docs/adopting.md lists the columns)',
    ]);
    // Ignored columns are never read: two people sharing a name stay two people.
    const ignored = read('group,phone,Name\nA,18800000001,张三\nA,18800000002,张三\n', { ignoreColumns: ['Name'] });
    expect([...ignored.groups[0]!.members.values()].map((m) => m.member.identities)).toEqual([[{ type: 'phone', value: '18800000001' }], [{ type: 'phone', value: '18800000002' }]]);
    const declared = read('group,memberNo,phone\nA,M-1,18800000001\n', { identityTypes: ['memberNo'] });
    expect([...declared.groups[0]!.members.values()][0]!.member.identities).toEqual([
      { type: 'memberNo', value: 'M-1' },
      { type: 'phone', value: '18800000001' },
    ]);
    expect(problems('group,phnoe\nA,1\n')[0]).toContain('(did you mean "phone"?)');
  });

  it('needs a group column and an identity column, named once each', () => {
    expect(problems('phone\n18800000001\n')).toEqual(['1:1: the header has no "group" column: an export lists one membership per row, the group name in a column named group']);
    expect(problems('group\nA\n')[0]).toContain('the header names no identity column');
    expect(problems('group,phone,phone\nA,1,2\n')).toEqual(['1:13: column "phone" appears twice in the header (first as column 2): keep one']);
  });

  it('checks every row and names each problem at its cell', () => {
    const text = [
      'group,category,kind,thirdDeptId,deptId,phone,openid,openid.appid,openid.isWeChatEcosystem',
      'a,b,,,,18800000001,,,',
      'A,teams,,,,18800000001,,,',
      'A,,custmer,,,18800000001,,,',
      'C,department,customer,,,18800000001,,,',
      'D,department,,d1,7,18800000001,,,',
      'E,department,,,12a,18800000001,,,',
      'F,,,,,,,,',
      'G,,,,,18800000001,o1,wx1,',
      'H,,,,,18800000001,o1,wx1,maybe',
      'I,,,,,18800000001,,wx1,true',
      'J,,,,,"188\n00000001",,,',
      'K,,,,',
    ].join('\n');
    expect(problems(text)).toEqual([
      '2:3: category is "b": write enterprise or department (empty: enterprise)',
      '3:3: category is "teams": write enterprise or department (empty: enterprise)',
      '4:4: kind is "custmer": write customer for a customer (客户) group, or leave it empty (or user) for a user group',
      '5:3: a customer group (kind customer) has no category: leave the category cell empty',
      '6:18: category department needs exactly one of wxDeptId, thirdDeptId, deptId on the row (thirdDeptId and deptId are set)',
      '7:16: deptId "12a" must be decimal digits: use thirdDeptId or wxDeptId for a text id',
      "8:7: the row has no identity: fill in at least one of phone, openid (the first one filled in is the member's key)",
      '9:22: appid requires isWeChatEcosystem (the API rejects an appid without it): fill in true or false',
      '10:26: isWeChatEcosystem is "maybe": write true or false (or leave it empty)',
      '11:19: openid is empty but its platform, appid or isWeChatEcosystem is set: fill in openid or clear them',
      '12:7: the phone value holds a control character (a line break, tab, …): fix the export',
      '14:1: this row has 5 fields, the header has 9: quote values that contain a comma ("a,b")',
    ]);
  });

  it('refuses a group name that group files refuse, and the same person with other identities twice in a group', () => {
    expect(problems('group,phone\n"a,b",1\n')).toEqual(['2:1: group "a,b" is not a valid group name: 1-64 characters, no comma and no control character']);
    expect(problems(`group,phone\n${'x'.repeat(65)},1\n`)[0]).toContain('is not a valid group name');
    const twice = readExport('export.csv', bytes('group,phone,unionid\nA,18800000001,u1\nA,18800000001,u2\n'));
    expect(twice.ok).toBe(false);
    if (!twice.ok) {
      expect(twice.issues).toEqual([
        {
          file: 'export.csv',
          line: 3,
          column: 3,
          message: 'phone "18800000001" is in group "A" already on line 2, with other identities: an export lists each person\'s identities the same way on every row; keep one',
          sensitive: ['18800000001'],
        },
      ]);
    }
  });

  it('counts the problems past the first 50', () => {
    const rows = ['group,phone', ...Array.from({ length: 60 }, () => ',1')];
    const found = problems(`${rows.join('\n')}\n`);
    expect(found).toHaveLength(51);
    expect(found.at(-1)).toContain('… and 10 more problems in this file');
  });

  it('refuses what is not UTF-8, an empty export and a header without rows', () => {
    const gbk = Uint8Array.from([...bytes('group,phone\n'), 0xc4, 0xe3, 0x2c, 0x31, 0x0a]);
    expect(problems(gbk)[0]).toContain('2:1: the export is not valid UTF-8');
    expect(problems('')).toEqual(['1:1: the export is empty: the first row names the columns, e.g. group,phone,unionid']);
    expect(problems('group,phone\n')).toEqual(['1:1: the export has a header but no rows: nothing to adopt']);
    expect(problems('group,phone\nA,"1\n')[0]).toMatch(/^2:1: CSV: Quote Not Closed/i);
  });
});
