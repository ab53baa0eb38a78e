import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { maskIssue } from '../../src/core/render/mask-issue.js';
import type { SourceIssue } from '../../src/errors/index.js';
import { readCsvMembers } from '../../src/load/csv-members.js';
import { readGroupFile } from '../../src/load/group-file.js';
import { loadGroups } from '../../src/load/load-groups.js';

// Every issue that quotes an identity value lists it as sensitive, so that GitHub output can mask it.
const yamlIssues = (text: string): SourceIssue[] => {
  const r = readGroupFile('groups/g.yaml', Buffer.from(text));
  return r.ok ? [] : r.issues;
};
const csvIssues = (text: string): SourceIssue[] => {
  const r = readCsvMembers('groups/g.csv', Buffer.from(text));
  return r.ok ? [] : r.issues;
};
const only = (issues: SourceIssue[], fragment: string): SourceIssue => {
  const found = issues.filter((i) => i.message.includes(fragment));
  expect(found, issues.map((i) => i.message).join('\n')).toHaveLength(1);
  return found[0]!;
};

/** The issue lists the value, quotes it, and masking leaves none of it. */
function expectMasked(issue: SourceIssue, value: string, masked: string): void {
  expect(issue.sensitive).toEqual([value]);
  expect(issue.message).toContain(value);
  const shown = maskIssue(issue).message;
  expect(shown).not.toContain(value);
  expect(shown).toContain(masked);
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('issues that quote identity values list them as sensitive', () => {
  it('a duplicate member in a group file', () => {
    const issue = only(yamlIssues('name: G\nmembers:\n  - phone: "18888888888"\n  - identities: [{ type: phone, value: " 18888888888 " }]\n'), 'duplicate member');
    expectMasked(issue, '18888888888', 'phone "188****8888"');
  });

  it('an identity value written as a YAML number, as written (+86 and leading zeros too)', () => {
    expectMasked(only(yamlIssues('name: G\nmembers:\n  - phone: +8613800000000\n'), 'YAML number'), '+8613800000000', 'identity value +86****0000 is a YAML number: quote it ("+86****0000")');
    expectMasked(only(yamlIssues('name: G\nmembers:\n  - identities:\n      - { type: phone, value: 013800000000 }\n'), 'YAML number'), '013800000000', '013****0000');
  });

  it('a member written as a bare value', () => {
    const issues = yamlIssues('name: G\nmembers:\n  - "13800000000"\n  - 13900000000\n');
    expectMasked(only(issues, '"13800000000"'), '13800000000', 'not "138****0000"');
    expectMasked(only(issues, '13900000000'), '13900000000', 'not 139****0000');
  });

  it('a duplicate row of a CSV member list', () => {
    expectMasked(only(csvIssues('phone,unionid\n13800000000,a\n13800000000,b\n'), 'duplicate member'), '13800000000', 'phone "138****0000"');
  });

  it('a CSV row csv-parse cannot read, which quotes the cell it stopped in', () => {
    expectMasked(only(csvIssues('phone\n18888888888"x\n'), 'Invalid Opening Quote'), '18888888888', 'value is "188****8888"');
  });

  it('a member listed in a group file and in its CSV list', async () => {
    dir = mkdtempSync(join(tmpdir(), 'groupops-sensitive-'));
    const files = { 'groups/g.yaml': 'name: G\nmemberFiles: [g.csv]\nmembers:\n  - phone: "13800000000"\n', 'groups/g.csv': 'phone\n13800000000\n' };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const r = await loadGroups('groups', dir);
    expect(r.ok).toBe(false);
    expectMasked(only(r.ok ? [] : r.issues, 'already listed at groups/g.yaml:4'), '13800000000', 'phone "138****0000"');
  });

  it('issues that quote no identity value list none', () => {
    const issues = yamlIssues('name: G\nmemebrs: []\nmembers:\n  - phone: "1"\n    platfrom: gzh\n  - true\n  - phone: false\n');
    expect(issues.map((i) => i.message)).toEqual(expect.arrayContaining([expect.stringContaining('not true'), expect.stringContaining('identity value false is a YAML boolean')]));
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue).not.toHaveProperty('sensitive');
  });
});

describe('the invalid fixture corpus', () => {
  const corpus = join(import.meta.dirname, '../fixtures/groups/invalid');
  it('lists only values its messages quote, and masking removes each of them', () => {
    let listed = 0;
    for (const name of readdirSync(corpus).filter((f) => f.endsWith('.yaml'))) {
      const r = readGroupFile(`invalid/${name}`, readFileSync(join(corpus, name)));
      for (const issue of r.ok ? [] : r.issues) {
        for (const value of issue.sensitive ?? []) {
          listed++;
          expect(issue.message, name).toContain(value);
          expect(maskIssue(issue).message, name).not.toContain(value);
        }
      }
    }
    // identity-number, -plus86, -leading-zero, -float, -number-full, -yaml-specials (2), member-scalar, duplicate-member.
    expect(listed).toBeGreaterThanOrEqual(9);
  });
});
