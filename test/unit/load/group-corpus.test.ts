import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SourceIssue } from '../../../src/errors/index.js';
import { readGroupFile as readGroupFileWith } from '../../../src/load/group-file.js';
import { listGroupFiles } from '../../../src/load/group-files.js';
import { DEFAULT_IDENTITY_TYPES, type IdentityTypeSettings } from '../../../src/load/identity-types.js';
import { loadGroups as loadGroupsWith } from '../../../src/load/load-groups.js';

/** The corpus's tenant declares these custom identity types, as a config's identityTypes.custom would. */
const CORPUS_TYPES: IdentityTypeSettings = { ...DEFAULT_IDENTITY_TYPES, custom: ['constructor', 'toString', 'crm_id'] };
const readGroupFile = (file: string, bytes: Uint8Array) => readGroupFileWith(file, bytes, CORPUS_TYPES);
const loadGroups = (dir: string, cwd: string) => loadGroupsWith(dir, cwd, { identityTypes: CORPUS_TYPES });

const root = fileURLToPath(new URL('../../..', import.meta.url));
const VALID = 'test/fixtures/groups/valid';
const INVALID = 'test/fixtures/groups/invalid';

interface Expectation {
  readonly line: number;
  readonly column: number;
  readonly text: string;
  /** Checked only when the whole folder is loaded (issues across files). */
  readonly inFolder: boolean;
}

/** The `# expect:` lines of a fixture's leading comment block. */
function expectationsOf(text: string): Expectation[] {
  const out: Expectation[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const m = /^# expect(-in-folder)?: (\d+):(\d+) (.+)$/.exec(line);
    if (m) out.push({ inFolder: m[1] !== undefined, line: Number(m[2]), column: Number(m[3]), text: m[4]! });
  }
  return out;
}

const matches = (issue: SourceIssue, e: Expectation): boolean => issue.line === e.line && issue.column === e.column && issue.message.includes(e.text);

/** Expectations without an issue, and issues no expectation accounts for (both must be empty). */
function compare(issues: readonly SourceIssue[], expected: readonly Expectation[]): { missing: string[]; unexpected: string[] } {
  return {
    missing: expected.filter((e) => !issues.some((i) => matches(i, e))).map((e) => `${e.line}:${e.column} ${e.text}`),
    unexpected: issues.filter((i) => !expected.some((e) => matches(i, e))).map((i) => `${i.line}:${i.column} ${i.message}`),
  };
}

const invalidFiles = readdirSync(join(root, INVALID))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const fixtureText = (rel: string): string => readFileSync(join(root, rel), 'utf8');

describe('invalid group files, one by one', () => {
  it('has a fixture for every rule', () => {
    expect(invalidFiles.length).toBeGreaterThanOrEqual(60);
  });

  it.each(invalidFiles)('%s fails with the expected issues', (name) => {
    const rel = `${INVALID}/${name}`;
    const text = fixtureText(rel);
    const expected = expectationsOf(text);
    expect(expected.length, `${rel} declares no # expect: line`).toBeGreaterThan(0);
    const own = expected.filter((e) => !e.inFolder);
    const result = readGroupFile(rel, readFileSync(join(root, rel)));
    if (own.length === 0) {
      // Faulty only next to its twin (a group declared in two files).
      expect(result.ok).toBe(true);
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(compare(result.issues, own)).toEqual({ missing: [], unexpected: [] });
    for (const issue of result.issues) expect(issue.file).toBe(rel);
    // One problem is one issue: an expectation matches any number of copies, so count them.
    const shown = result.issues.map((i) => `${i.line}:${i.column} ${i.message}`);
    expect(shown.filter((s, k) => shown.indexOf(s) !== k)).toEqual([]);
  });
});

describe('invalid group files, as one folder', () => {
  it('reports every issue of every file in one run', async () => {
    const result = await loadGroups(INVALID, root);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const name of invalidFiles) {
      const rel = `${INVALID}/${name}`;
      const issues = result.issues.filter((i) => i.file === rel);
      expect(compare(issues, expectationsOf(fixtureText(rel))), rel).toEqual({ missing: [], unexpected: [] });
    }
    const files = new Set(result.issues.map((i) => i.file));
    expect(files.size).toBe(invalidFiles.length);
  });

  it('reports a group declared in two files in both, each naming the other', async () => {
    const result = await loadGroups(INVALID, root);
    if (result.ok) throw new Error('expected issues');
    const dup = result.issues.filter((i) => i.message.includes('"Duplicated"'));
    expect(dup.map((i) => [i.file, i.line])).toEqual([
      [`${INVALID}/duplicate-group-a.yaml`, 4],
      [`${INVALID}/duplicate-group-b.yaml`, 5],
    ]);
    expect(dup[0]!.message).toContain(`${INVALID}/duplicate-group-b.yaml:5`);
    expect(dup[1]!.message).toContain(`${INVALID}/duplicate-group-a.yaml:4`);
  });

  it('lists issues sorted by file, then line and column', async () => {
    const result = await loadGroups(INVALID, root);
    if (result.ok) throw new Error('expected issues');
    const keys = result.issues.map((i) => [i.file, i.line, i.column] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
    expect(keys).toEqual(sorted);
  });
});

describe('__proto__ and constructor keys', () => {
  it('are reported and leave Object.prototype untouched', () => {
    for (const name of ['proto-key.yaml', 'constructor-key.yaml', 'proto-in-member.yaml']) {
      const rel = `${INVALID}/${name}`;
      const result = readGroupFile(rel, readFileSync(join(root, rel)));
      expect(result.ok).toBe(false);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });
});

describe('valid group files', () => {
  it('skips names starting with "." or "_" and files that are not YAML', async () => {
    const files = await listGroupFiles(join(root, VALID), root);
    expect(files).toEqual([
      `${VALID}/constructor-identity.yaml`,
      `${VALID}/departments/nested/deptid-long.yaml`,
      `${VALID}/departments/shared-name.yaml`,
      `${VALID}/departments/third-dept.yaml`,
      `${VALID}/departments/wx-dept.yaml`,
      `${VALID}/document-markers.yaml`,
      `${VALID}/enterprise/full-form.yaml`,
      `${VALID}/enterprise/name-64-characters.yml`,
      `${VALID}/enterprise/shared-name.yaml`,
      `${VALID}/enterprise/shorthand.yaml`,
      `${VALID}/minimal.yaml`,
    ]);
  });

  it('the skipped files would fail if they were read', () => {
    for (const rel of [`${VALID}/_draft.yaml`, `${VALID}/.hidden.yaml`, `${VALID}/_drafts/draft.yaml`]) {
      expect(readGroupFile(rel, readFileSync(join(root, rel))).ok, rel).toBe(false);
    }
  });

  it('each loads on its own', async () => {
    for (const rel of (await listGroupFiles(join(root, VALID), root))!) {
      const result = readGroupFile(rel, readFileSync(join(root, rel)));
      expect(result.ok ? [] : result.issues, rel).toEqual([]);
    }
  });

  it('load as one folder: one group per file, same name in two categories is two groups', async () => {
    const result = await loadGroups(VALID, root);
    if (!result.ok) throw new Error(result.issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`).join('\n'));
    expect(result.value.folderExists).toBe(true);
    expect(result.value.groups).toHaveLength(11);
    expect(result.value.state.size).toBe(11);
    const shared = result.value.groups.filter((g) => g.group.name === 'Shared name').map((g) => g.group.category);
    expect(shared.sort()).toEqual(['department', 'enterprise']);
  });

  it('keeps identity values as written, trimmed, and the WeChat fields', () => {
    const rel = `${VALID}/enterprise/shorthand.yaml`;
    const result = readGroupFile(rel, readFileSync(join(root, rel)));
    if (!result.ok) throw new Error('expected a valid file');
    const ids = result.group.members.map((m) => m.member.identities[0]!);
    expect(ids.map((i) => i.value)).toEqual(['18888888888', '+8613600000003', '000417', '13700000002', 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M', 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M', 'lina']);
    expect(ids[4]).toEqual({ type: 'openid', value: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M', platform: 'gzh', appid: 'wx1234567890abcdef', isWeChatEcosystem: true });
    expect(ids[5]!.isWeChatEcosystem).toBe(false);
    expect(result.group.members.map((m) => m.line)).toEqual([6, 7, 8, 9, 10, 14, 18]);
    expect(result.group.group).toEqual({ name: 'VIP客户', category: 'enterprise' });
    expect(result.group.nameLine).toBe(2);
  });

  it('keeps a deptId beyond 2^53 digit for digit and trims text department ids', () => {
    const long = readGroupFile('a.yaml', readFileSync(join(root, VALID, 'departments/nested/deptid-long.yaml')));
    const wx = readGroupFile('b.yaml', readFileSync(join(root, VALID, 'departments/wx-dept.yaml')));
    if (!long.ok || !wx.ok) throw new Error('expected valid files');
    expect(long.group.group.department).toEqual({ field: 'deptId', value: '9007199254740993' });
    expect(wx.group.group.department).toEqual({ field: 'wxDeptId', value: '1001' });
  });

  it('expands a bounded alias and reads flow style between document markers', () => {
    const result = readGroupFile('m.yaml', readFileSync(join(root, VALID, 'document-markers.yaml')));
    if (!result.ok) throw new Error('expected a valid file');
    expect(result.group.members.map((m) => m.member.identities[0])).toEqual([
      { type: 'phone', value: '13800000007', platform: 'gzh' },
      { type: 'phone', value: '13800000008', platform: 'gzh' },
    ]);
  });

  it('reports a missing folder as absent, not as an error', async () => {
    const result = await loadGroups('test/fixtures/groups/no-such-folder', root);
    expect(result).toEqual({ ok: true, value: { folderExists: false, files: [], groups: [], state: new Map(), warnings: [] } });
  });
});

describe('bytes a text fixture cannot hold', () => {
  const gbkName = Buffer.from([0xd1, 0xd0, 0xb7, 0xa2, 0xb2, 0xbf]); // 研发部 in GBK

  it('refuses a file that is not UTF-8, naming it and the first bad byte', () => {
    const bytes = Buffer.concat([Buffer.from('# saved as GBK\nname: '), gbkName, Buffer.from('\nmembers: []\n')]);
    const result = readGroupFile('groups/gbk.yaml', bytes);
    expect(result).toEqual({
      ok: false,
      issues: [{ file: 'groups/gbk.yaml', line: 2, column: 7, message: expect.stringContaining('not valid UTF-8') }],
    });
  });

  it('refuses a 0-byte file as empty', () => {
    const result = readGroupFile('groups/empty.yaml', new Uint8Array());
    expect(result).toEqual({ ok: false, issues: [{ file: 'groups/empty.yaml', line: 1, column: 1, message: expect.stringContaining('this one is empty') }] });
  });

  it('accepts a UTF-8 byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('name: 带BOM\nmembers: []\n')]);
    const result = readGroupFile('groups/bom.yaml', bytes);
    expect(result.ok && result.group.group.name).toBe('带BOM');
  });

  it('refuses a classic ten-level "billion laughs" file instead of expanding it', () => {
    const lines = ['a0: &a0 "lol"'];
    for (let i = 1; i <= 10; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(',')}]`);
    const result = readGroupFile('groups/laughs.yaml', Buffer.from(`${lines.join('\n')}\nname: x\nmembers: []\n`));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues).toEqual([{ file: 'groups/laughs.yaml', line: 2, column: 10, message: expect.stringContaining('aliases expand too far') }]);
  });

  it('refuses absurdly deep nesting with an issue, not a crash', () => {
    const result = readGroupFile('groups/deep.yaml', Buffer.from(`name: x\nmembers: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.message).toMatch(/nests too deeply|must be|YAML/);
  });
});
