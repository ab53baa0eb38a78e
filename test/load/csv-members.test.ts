import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CSV_ISSUES, readCsvMembers, type CsvMembersResult } from '../../src/load/csv-members.js';
import { loadGroups } from '../../src/load/load-groups.js';

const csv = (text: string | Uint8Array) => readCsvMembers('groups/vip.csv', typeof text === 'string' ? Buffer.from(text) : text);
const ok = (text: string) => {
  const r = csv(text);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.line}:${i.column}: ${i.message}`).join('\n'));
  return r.members;
};
const issues = (text: string | Uint8Array) => {
  const r = csv(text);
  if (r.ok) throw new Error('expected the member list to be refused');
  return r.issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`);
};
/** A refused list's problems as `line:column: ` and the first `chars` characters of each message. */
const briefIssues = (r: CsvMembersResult, chars: number) => (r.ok ? [] : r.issues.map((i) => `${i.line}:${i.column}: ${i.message.slice(0, chars)}`));
/** The members a refused list still gives to the checks across lists: key value and line. */
const keyValuesAndLines = (r: CsvMembersResult) => r.members?.map((m) => [m.member.identities[0]!.value, m.line]);

describe('readCsvMembers: the format', () => {
  it('reads one member per row, the first identity column being the key, values as trimmed text', () => {
    const members = ok('phone,unionid\n 013800000000 ,oU1\n+8613900000000,\n');
    expect(members.map((m) => m.member)).toEqual([
      {
        identities: [
          { type: 'phone', value: '013800000000' },
          { type: 'unionid', value: 'oU1' },
        ],
      },
      { identities: [{ type: 'phone', value: '+8613900000000' }] },
    ]);
    expect(members.map((m) => [m.line, m.file])).toEqual([
      [2, 'groups/vip.csv'],
      [3, 'groups/vip.csv'],
    ]);
    expect(members[0]!.key).toBe('phone\u001f013800000000\u001f\u001f');
  });

  it('applies bare platform, appid, isWeChatEcosystem to the key identity and TYPE.field to that column', () => {
    const members = ok('openid,platform,appid,isWeChatEcosystem,unionid,unionid.platform\no6_b,gzh,wx1,TRUE,oU1,open\no6_c,,,false,,\n');
    expect(members.map((m) => m.member.identities)).toEqual([
      [
        { type: 'openid', value: 'o6_b', platform: 'gzh', appid: 'wx1', isWeChatEcosystem: true },
        { type: 'unionid', value: 'oU1', platform: 'open' },
      ],
      [{ type: 'openid', value: 'o6_c', isWeChatEcosystem: false }],
    ]);
    expect(members[0]!.key).toBe('openid\u001fo6_b\u001fgzh\u001fwx1');
  });

  it('reads quoted fields (commas, quotes, line breaks) through csv-parse, with the line a record starts on', () => {
    const text = 'phone,thirdId,note\n"138","a,b",\n"139","say ""hi""",\n"137",y,"two\nlines"\n"136",x,\n';
    const r = readCsvMembers('groups/vip.csv', Buffer.from(text), { ignoreColumns: [{ name: 'note', line: 3, column: 20 }] });
    if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
    expect(r.members.map((m) => m.member.identities.at(-1)!.value)).toEqual(['a,b', 'say "hi"', 'y', 'x']);
    expect(r.members.map((m) => m.line)).toEqual([2, 3, 4, 6]);
  });

  it('refuses a line break inside an identity value, which would be sent as part of it', () => {
    expect(issues('phone,thirdId\n"137","two\nlines"\n')).toEqual([
      'groups/vip.csv:2:7: the thirdId value contains a line break (U+000A): remove it (it would be sent to the platform as part of the value)',
    ]);
  });

  it('gives the same members whether the fast split or csv-parse reads a file', () => {
    const plain = 'phone,unionid,platform\n138,u1,gzh\n\n139,,\n';
    const quoted = 'phone,unionid,platform\n"138",u1,gzh\n\n139,,\n';
    expect(ok(quoted)).toEqual(ok(plain));
    expect(ok(plain.replace(/\n/g, '\r\n'))).toEqual(ok(plain));
    expect(ok(quoted.replace(/\n/g, '\r\n'))).toEqual(ok(plain));
  });

  it('skips a UTF-8 byte-order mark (spreadsheet "CSV UTF-8" exports) and empty lines', () => {
    expect(ok('\ufeffphone\n\n138\n\n').map((m) => m.line)).toEqual([3]);
  });
});

describe('readCsvMembers: problems, each with file, line and column', () => {
  it.each([
    ['an empty file', '', 'groups/vip.csv:1:1: the member list is empty'],
    ['no identity column', 'platform,appid\ngzh,wx\n', 'groups/vip.csv:1:1: the header names no identity column'],
    ['a bad column name', 'phone,mobile phone\n1,2\n', 'groups/vip.csv:1:7: column "mobile phone" is not a known identity type'],
    ['a reserved name', 'phone,value\n1,2\n', 'groups/vip.csv:1:7: column "value" is not a known identity type'],
    ['a nameless column', 'phone,,x\n1,2,3\n', 'groups/vip.csv:1:7: column 2 has no name'],
    ['a duplicated column', 'phone,unionid,phone\n1,2,3\n', 'groups/vip.csv:1:15: column "phone" appears twice in the header (first as column 1)'],
    ['a qualifier of a missing column', 'phone,openid.platform\n1,gzh\n', 'groups/vip.csv:1:7: column "openid.platform" qualifies "openid", but there is no "openid" column'],
    ['a misspelt qualifier', 'phone,phone.platfrom\n1,x\n', 'groups/vip.csv:1:7: column "phone.platfrom": after "phone." comes platform, appid or isWeChatEcosystem (did you mean "phone.platform"?)'],
    ['a qualifier set twice', 'phone,platform,phone.platform\n1,a,b\n', 'groups/vip.csv:1:16: column "phone.platform" sets platform of "phone" again (column 2 already does): keep one'],
    ['a short row', 'phone,unionid\n138\n', 'groups/vip.csv:2:1: this row has 1 fields, the header has 2'],
    ['a long row', 'phone,unionid\n138,u,x\n', 'groups/vip.csv:2:1: this row has 3 fields, the header has 2'],
    ['an empty key identity', 'phone,unionid\n  ,u1\n', "groups/vip.csv:2:1: the phone cell is empty: it is this row's key identity"],
    ['qualifiers of an empty identity', 'phone,openid,openid.platform\n1,,gzh\n', 'groups/vip.csv:2:3: openid is empty but its platform, appid or isWeChatEcosystem is set'],
    ['isWeChatEcosystem not a boolean', 'openid,isWeChatEcosystem\no1,yes\n', 'groups/vip.csv:2:4: isWeChatEcosystem is "yes": write true or false'],
    ['appid without isWeChatEcosystem', 'openid,appid,isWeChatEcosystem\no1,wx1,\n', 'groups/vip.csv:2:4: appid requires isWeChatEcosystem'],
    ['a duplicate member', 'phone,unionid\n138,a\n139,b\n138,c\n', 'groups/vip.csv:4:1: duplicate member: phone "138" is already listed on line 2 of this file'],
    ['an unclosed quote', 'phone\n"138\n', 'groups/vip.csv:2:1: CSV: the quote that starts here is never closed: close it'],
    ['text after a closing quote', 'phone,thirdId\n"138"x,1\n', 'groups/vip.csv:2:1: CSV: Invalid Closing Quote'],
  ])('%s', (_, text, expected) => {
    expect(issues(text)[0]).toContain(expected);
  });

  it('checks the rows before an unclosed quote, reports it where it opens and says the rest was not checked', () => {
    expect(issues('phone,unionid\n,u1\n139,u2\n140,"u3\n141,u4\n,u5\n')).toEqual([
      "groups/vip.csv:2:1: the phone cell is empty: it is this row's key identity (the first identity column); fill it in or drop the row",
      'groups/vip.csv:4:5: CSV: the quote that starts here is never closed; the rest of the file (lines 5–6) reads as part of that value and was not checked: close it, e.g. "a,b", and double a quote inside a value ("say ""hi""")',
    ]);
  });

  it('goes on after a row csv-parse cannot read, so the rows after it are checked in the same run', () => {
    const r = csv('phone,thirdId\n"138"x,1\n139,2\n,3\n"a\nb"c,4\n140,5\n');
    expect(briefIssues(r, 40)).toEqual(['2:1: CSV: Invalid Closing Quote: got "x" inst', "4:1: the phone cell is empty: it is this row'", '6:1: CSV: Invalid Closing Quote: got "c" inst']);
    // The rows that could be read still take part in the checks across lists.
    expect(keyValuesAndLines(r)).toEqual([
      ['139', 3],
      ['140', 7],
    ]);
  });

  it('says the rows were not checked when the header row cannot be read', () => {
    expect(issues('ph"one\n,1\n')).toEqual([
      'groups/vip.csv:1:1: CSV: Invalid Opening Quote: a quote is found on field 0, value is "ph": quote a value holding a comma, quote or line break ("a,b"), and double a quote inside it ("say ""hi"""); the rows below were not checked: fix the header row first',
    ]);
  });

  it('says where a file is not UTF-8 (a GBK export)', () => {
    const gbk = Buffer.concat([Buffer.from('phone,name\n138,'), Buffer.from([0xd5, 0xc5]), Buffer.from('\n')]);
    expect(issues(gbk)).toEqual([expect.stringMatching(/^groups\/vip\.csv:2:5: the file is not valid UTF-8.*iconv -f GBK -t UTF-8/)]);
  });

  it('finds a member listed again in a list out of key order, in line order among the other problems, at its key column', () => {
    const r = csv('platform,phone\n,5\n,3\n,\n,5\n,3\n,3\n');
    expect(briefIssues(r, 60)).toEqual([
      "4:2: the phone cell is empty: it is this row's key identity (the ",
      '5:2: duplicate member: phone "5" is already listed on line 2 of t',
      '6:2: duplicate member: phone "3" is already listed on line 3 of t',
      '7:2: duplicate member: phone "3" is already listed on line 3 of t',
    ]);
    // Only first listings take part in the checks across lists.
    expect(keyValuesAndLines(r)).toEqual([
      ['5', 2],
      ['3', 3],
    ]);
  });

  it('lists members listed again up to the bound too, then counts the rest', () => {
    const all = issues(`phone\n2\n1\n${Array.from({ length: MAX_CSV_ISSUES + 30 }, () => '1').join('\n')}\n`);
    expect(all).toHaveLength(MAX_CSV_ISSUES + 1);
    expect(all[0]).toContain('groups/vip.csv:4:1: duplicate member: phone "1" is already listed on line 3');
    expect(all.at(-1)).toContain('… and 30 more problems in this file');
  });

  it('lists every problem up to a bound, then counts the rest', () => {
    const rows = Array.from({ length: MAX_CSV_ISSUES + 30 }, () => ',x');
    const all = issues(`phone,unionid\n${rows.join('\n')}\n`);
    expect(all).toHaveLength(MAX_CSV_ISSUES + 1);
    expect(all.at(-1)).toContain('… and 30 more problems in this file');
  });
});

describe('memberFiles: CSV lists referenced from a group file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const setup = (files: Record<string, string>) => {
    // A test that sets up twice replaces its folder.
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'groupops-csv-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };
  const load = async () => {
    const r = await loadGroups('groups', dir);
    return r.ok ? { ok: true as const, state: r.value.state } : { ok: false as const, issues: r.issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`) };
  };

  it('adds the list members to the YAML members (members may then be left out)', async () => {
    setup({
      'groups/crm/vip.yaml': 'name: VIP\nmemberFiles:\n  - vip.csv\n  - lists/more.csv\nmembers:\n  - phone: "1"\n',
      'groups/crm/vip.csv': 'phone\n2\n3\n',
      'groups/crm/lists/more.csv': 'unionid\nu4\n',
      'groups/other.yaml': 'name: Only a list\nmemberFiles: [other.csv]\n',
      'groups/other.csv': 'phone\n9\n',
    });
    const r = await load();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const members = (name: string) => [...[...r.state.values()].find((g) => g.group.name === name)!.members.values()].map((m) => m.identities[0]!.value);
    expect(members('VIP')).toEqual(['1', '2', '3', 'u4']);
    expect(members('Only a list')).toEqual(['9']);
  });

  it('names both places of a member listed in the YAML and a list, or in two lists', async () => {
    setup({
      'groups/vip.yaml': 'name: VIP\nmemberFiles: [a.csv, b.csv]\nmembers:\n  - phone: "1"\n',
      'groups/a.csv': 'phone\n1\n2\n',
      'groups/b.csv': 'phone\n3\n2\n',
    });
    expect(await load()).toEqual({
      ok: false,
      issues: [
        'groups/a.csv:2:1: duplicate member: phone "1" is already listed at groups/vip.yaml:4 (a member\'s key is its first identity): keep one of them',
        'groups/b.csv:3:1: duplicate member: phone "2" is already listed at groups/a.csv:3 (a member\'s key is its first identity): keep one of them',
      ],
    });
  });

  it('refuses a missing list, a folder, and a path leaving the groups folder, at the entry', async () => {
    setup({
      'groups/vip.yaml': 'name: VIP\nmemberFiles:\n  - missing.csv\n  - dir.csv\n  - ../../secrets.csv\n',
      'groups/dir.csv/x': '',
      'secrets.csv': 'phone\n1\n',
    });
    const r = await load();
    expect(r.ok ? [] : r.issues).toEqual([
      'groups/vip.yaml:3:5: member file "missing.csv" does not exist (looked for groups/missing.csv; paths are relative to the group file)',
      'groups/vip.yaml:4:5: member file "dir.csv" is a folder (looked for groups/dir.csv; paths are relative to the group file)',
      'groups/vip.yaml:5:5: member file "../../secrets.csv" is outside the groups folder: keep member lists inside it, next to their group files (paths are relative to the group file)',
    ]);
  });

  it('reports the list problems of a group file the full parser reads too', async () => {
    setup({ 'groups/vip.yaml': 'name: VIP\ncategory: department\ndepartment:\n  deptId: 7\nmemberFiles:\n  - "v.csv"\n', 'groups/v.csv': 'phone\n\u0020\n' });
    expect((await load()).ok).toBe(false);
    setup({ 'groups/vip.yaml': 'name: VIP\ncategory: department\ndepartment:\n  deptId: 7\nmemberFiles:\n  - "gone.csv"\n' });
    const r = await load();
    expect(r.ok ? [] : r.issues).toEqual(['groups/vip.yaml:6:5: member file "gone.csv" does not exist (looked for groups/gone.csv; paths are relative to the group file)']);
  });

  it('words memberFiles entries for people, each at its own entry', async () => {
    setup({
      'groups/vip.yaml': 'name: VIP\nmemberFiles:\n  - a.csv\n  - lists\\b.csv\n  - notes.txt\n  - a.csv\n  - ./a.csv\n  - 5\n',
      'groups/a.csv': 'phone\n1\n',
      'groups/other.yaml': 'name: Other\nmemberFiles: []\n',
      'groups/third.yaml': 'name: Third\nmemberFiles: vip.csv\n',
    });
    const r = await load();
    expect(r.ok ? [] : r.issues).toEqual([
      'groups/other.yaml:2:14: memberFiles: is empty: list the CSV member files (e.g. memberFiles: [vip.csv]), or remove memberFiles:',
      'groups/third.yaml:2:14: memberFiles: must be a list of CSV files, e.g. memberFiles: [vip.csv]',
      'groups/vip.yaml:4:5: member file "lists\\b.csv": write folders with "/", not "\\" (paths are relative to the group file, e.g. lists/vip.csv)',
      'groups/vip.yaml:5:5: member file "notes.txt" is not a .csv file: a member list is a CSV file whose first row names identity types (e.g. phone,unionid): save it as CSV with a .csv name',
      'groups/vip.yaml:6:5: member file "a.csv" is already listed on line 3: remove this entry',
      'groups/vip.yaml:7:5: member file "./a.csv" is the same file as "a.csv" on line 3: remove this entry',
      'groups/vip.yaml:8:5: a member file is a path to a CSV file such as vip.csv, not 5: write the path, or remove the entry',
    ]);
  });

  it('reports a repeated entry of an otherwise valid file once, and reads the list once', async () => {
    setup({ 'groups/vip.yaml': 'name: VIP\nmemberFiles: [a.csv, b.csv, a.csv]\n', 'groups/a.csv': 'phone\n1\n2\n', 'groups/b.csv': 'phone\n3\n' });
    const r = await load();
    expect(r.ok ? [] : r.issues).toEqual(['groups/vip.yaml:2:29: member file "a.csv" is already listed on line 2: remove this entry']);
  });

  it('still checks the other lists and duplicates across them when an entry or the group file is faulty', async () => {
    setup({
      'groups/vip.yaml': 'name: VIP\nkind: typo\nmemberFiles:\n  - ../outside.csv\n  - notes.txt\n  - a.csv\n  - b.csv\nmembers:\n  - phone: "1"\n',
      'groups/a.csv': 'phone\n1\n2\n',
      'groups/b.csv': 'phone\n2\n \n3\n',
    });
    const r = await load();
    expect(r.ok ? [] : r.issues.map((i) => i.slice(0, i.indexOf(': ', i.indexOf(': ') + 2)))).toEqual([
      'groups/a.csv:2:1: duplicate member',
      'groups/b.csv:2:1: duplicate member',
      'groups/b.csv:3:1: the phone cell is empty',
      'groups/vip.yaml:2:7: kind',
      'groups/vip.yaml:4:5: member file "../outside.csv" is outside the groups folder',
      'groups/vip.yaml:5:5: member file "notes.txt" is not a .csv file',
    ]);
  });

  it('needs members or memberFiles', async () => {
    setup({ 'groups/vip.yaml': 'name: VIP\n' });
    const r = await load();
    expect(r.ok ? [] : r.issues).toEqual([expect.stringMatching(/^groups\/vip\.yaml:1:1: missing members/)]);
  });
});
