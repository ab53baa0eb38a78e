import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/errors/index.js';
import { readCsvMembers } from '../../src/load/csv-members.js';
import { scratchRepos } from '../helpers/scratch-repos.js';
import type { Files } from '../helpers/temp-repo.js';
import { fastGroupOf } from './fast/differential.js';

const repos = scratchRepos();

/** Validates a workspace: its groups, or the problems (path:line:col: message) it is refused with. */
async function validate(files: Files) {
  const r = await repos.validate(files);
  return r.ok ? r : { ok: false as const, issues: r.issues.map(formatIssue) };
}

/** A CRM export: two different people share a name. */
const CRM = 'phone,name,email\n13800000001,张伟,zw@example.com\n13800000002,张伟,zhang.wei@example.com\n13800000003,李娜,\n';

describe('CSV member lists read only identity and qualifier columns', () => {
  it('refuses the other columns of a CRM export at file.csv:1:column, saying how to leave them out', async () => {
    const r = await validate({ 'groups/crm.yaml': 'name: CRM\nmemberFiles: [crm.csv]\n', 'groups/crm.csv': CRM });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(2);
    expect(r.issues[0]).toMatch(/^groups\/crm\.csv:1:7: column "name" is not a known identity type or member field/);
    expect(r.issues[1]).toMatch(/^groups\/crm\.csv:1:12: column "email" is not a known identity type or member field/);
    for (const issue of r.issues) expect(issue).toContain('memberFiles: [{ path: crm.csv, ignoreColumns: [name, email] }]');
  });

  it('leaves out the columns listed under ignoreColumns: never read, and two people sharing a name stay two people', async () => {
    const r = await validate({
      'groups/crm.yaml': 'name: CRM\nmemberFiles:\n  - path: crm.csv\n    ignoreColumns: [name, email]\n',
      'groups/crm.csv': CRM,
    });
    if (!r.ok) throw new Error(r.issues.join('\n'));
    const [g] = [...r.desired.state.values()];
    expect([...g!.members.values()].map((m) => m.identities)).toEqual([
      [{ type: 'phone', value: '13800000001' }],
      [{ type: 'phone', value: '13800000002' }],
      [{ type: 'phone', value: '13800000003' }],
    ]);
  });

  it('refuses an ignoreColumns entry that names no column, at the entry, with a did-you-mean', async () => {
    const r = await validate({
      'groups/crm.yaml': 'name: CRM\nmemberFiles:\n  - path: crm.csv\n    ignoreColumns:\n      - name\n      - emial\n',
      'groups/crm.csv': CRM,
    });
    expect(r.ok ? [] : r.issues).toEqual([
      expect.stringMatching(/^groups\/crm\.csv:1:12: column "email" is not a known identity type/),
      'groups/crm.yaml:6:9: ignoreColumns names "emial", which is not a column of groups/crm.csv (did you mean "email"?): remove it, or fix the name',
    ]);
  });

  it('keeps a column that names an identity type unless it is ignored too', () => {
    const ignored = readCsvMembers('groups/c.csv', Buffer.from('phone,unionid\n13800000001,u1\n'), { ignoreColumns: [{ name: 'unionid', line: 1, column: 1 }] });
    expect(ignored.ok && ignored.members.map((m) => m.member.identities)).toEqual([[{ type: 'phone', value: '13800000001' }]]);
  });

  it('words a bad entry for people and leaves { path, ignoreColumns } to the full reader', async () => {
    const text = 'name: CRM\nmemberFiles:\n  - path: crm.csv\n    ignoreColumns: [name]\n';
    expect(fastGroupOf('groups/crm.yaml', text)).toBeUndefined();
    const r = await validate({ 'groups/crm.yaml': 'name: CRM\nmemberFiles:\n  - path: crm.txt\n    ignoreColumns: []\n    ignore: [x]\n' });
    expect(r.ok ? [] : r.issues).toEqual([
      expect.stringMatching(/^groups\/crm\.yaml:3:11: member file "crm\.txt" is not a \.csv file/),
      'groups/crm.yaml:4:20: memberFiles[0].ignoreColumns: needs at least 1 entry',
      'groups/crm.yaml:5:5: unknown field "ignore" (allowed: path, ignoreColumns)',
    ]);
  });
});
