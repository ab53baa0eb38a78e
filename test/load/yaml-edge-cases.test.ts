import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/errors/index.js';
import { readGroupFile } from '../../src/load/group-file.js';
import { readGroupBytes } from '../../src/load/load-group-file.js';
import { loadGroups } from '../../src/load/load-groups.js';
import { createTempRepo } from '../helpers/temp-repo.js';
import { fastGroupOf, subsetOf } from './fast/differential.js';

const where = { cwd: '/nonexistent', root: '/nonexistent' };
/** What the loader (fast path, then the full parser) says of a group file's text. */
const load = (text: string) => readGroupBytes(where, 'groups/g.yaml', Buffer.from(text));
const issuesOf = (text: string) => {
  const r = load(text);
  return r.ok ? [] : r.issues.map(formatIssue);
};

describe('plain scalars keep the white space YAML keeps', () => {
  // trimEnd() also strips NBSP, U+2000-200A, U+2028/2029, U+202F, U+205F, U+3000 and U+1680; YAML only space and tab.
  it.each([
    ['a name ending in U+3000', 'name: foo\u3000\nmembers: []\n', 'groups/g.yaml:1:7: name must not start or end with a space'],
    ['a category ending in NBSP', 'name: G\ncategory: department\u00a0\ndepartment:\n  wxDeptId: "1"\nmembers: []\n', 'groups/g.yaml:2:11: category: must be one of "enterprise", "department"'],
    [
      'a boolean ending in NBSP',
      'name: G\nmembers:\n  - openid: o1\n    appid: wx1\n    isWeChatEcosystem: true\u00a0\n',
      'groups/g.yaml:5:24: members[0].isWeChatEcosystem: must be a boolean, not the text "true\u00a0"',
    ],
    [
      'a platform ending in U+205F',
      'name: G\nmembers:\n  - openid: o1\n    platform: gzh\u205f\n',
      'groups/g.yaml:4:15: the platform of openid ends with the character U+205F, an invisible space: remove it',
    ],
    ['an identity value ending in U+2028', 'name: G\nmembers:\n  - unionid: u1\u2028\n', 'groups/g.yaml:3:14: the unionid value contains the character U+2028'],
    [
      'a flow value ending in U+1680',
      'name: G\nmembers:\n  - identities:\n      - { type: unionid, value: u1\u1680 }\n',
      'groups/g.yaml:4:33: the unionid value ends with the character U+1680, an invisible space: remove it',
    ],
  ])('%s is refused, not trimmed', (_, text, expected) => {
    expect(fastGroupOf('groups/g.yaml', text)).toBeUndefined();
    expect(issuesOf(text)[0]).toContain(expected);
  });

  it('still takes spaces around a value off, as YAML does', () => {
    const r = load('name: G   \nmembers:\n  - unionid:    u1   # note\n');
    expect(r.ok && [r.group.group.name, r.group.members[0]!.member.identities[0]!.value]).toEqual(['G', 'u1']);
  });
});

describe('mapping keys are text', () => {
  it.each([
    ['a boolean key', 'name: G\nmembers:\n  - true: "5"\n', 'groups/g.yaml:3:5: the key true is read by YAML as a boolean, not as text: quote it ("true") if it is meant as text'],
    ['an infinity key', 'name: G\nmembers:\n  - .inf: "6"\n', 'groups/g.yaml:3:5: the key .inf is read by YAML as a number'],
    ['a NaN key', 'name: G\nmembers:\n  - .NaN: "6"\n', 'groups/g.yaml:3:5: the key .NaN is read by YAML as a number'],
    ['a number key', 'name: G\nmembers:\n  - 138: "6"\n', 'groups/g.yaml:3:5: the key 138 is read by YAML as a number'],
    ['a null key', 'name: G\nmembers:\n  - ~: "6"\n', 'groups/g.yaml:3:5: the key ~ is read by YAML as empty (null)'],
    ['a YAML 1.1 "no"', '%YAML 1.1\n---\nname: G\nmembers:\n  - no: "1"\n', 'groups/g.yaml:5:5: the key no is read by YAML as a boolean'],
    ['a YAML 1.1 "y"', '%YAML 1.1\n---\nname: G\nmembers:\n  - y: "1"\n', 'groups/g.yaml:5:5: the key y is read by YAML as a boolean'],
    ['a YAML 1.1 "on"', '%YAML 1.1\n---\nname: G\nmembers:\n  - on: "1"\n', 'groups/g.yaml:5:5: the key on is read by YAML as a boolean'],
    ['a list as a key', 'name: G\nmembers:\n  - ? [a]\n    : "1"\n', 'groups/g.yaml:3:7: a key must be text, not a list or a mapping'],
  ])('%s is an error at the key', (_, text, expected) => {
    expect(issuesOf(text)).toEqual([expected.includes('quote it') ? expected : expect.stringContaining(expected)]);
  });

  it('takes a quoted "true" as text, which is then an unknown identity type', () => {
    expect(issuesOf('name: G\nmembers:\n  - "true": "5"\n')).toEqual([expect.stringContaining('groups/g.yaml:3:5: unknown identity type "true"')]);
  });
});

describe('control characters in identity fields', () => {
  it.each([
    ['a value', 'name: G\nmembers:\n  - phone: "1380000\\x1f0001"\n', 'groups/g.yaml:3:12: the phone value contains the control character U+001F'],
    ['a platform', 'name: G\nmembers:\n  - phone: "13800000001"\n    platform: "b\\x1f"\n', 'groups/g.yaml:4:15: the platform of phone contains the control character U+001F'],
    ['an appid', 'name: G\nmembers:\n  - identities:\n      - { type: openid, value: o1, appid: "wx\\u0000", isWeChatEcosystem: true }\n', 'the appid of openid contains the control character U+0000'],
    ['a zero-width space', 'name: G\nmembers:\n  - unionid: "u\\u200b1"\n', 'the unionid value contains the invisible character U+200B'],
    ['a bidi override', 'name: G\nmembers:\n  - unionid: "u\\u202e1"\n', 'the unionid value contains the invisible character U+202E'],
    ['a line break', 'name: G\nmembers:\n  - unionid: "u\\n1"\n', 'the unionid value contains a line break (U+000A)'],
    ['a department id', 'name: G\ncategory: department\ndepartment:\n  thirdDeptId: "d\\x1f"\nmembers: []\n', 'groups/g.yaml:4:16: department.thirdDeptId contains the control character U+001F'],
  ])('in %s is refused', (_, text, expected) => {
    expect(issuesOf(text)[0]).toContain(expected);
  });

  it('are refused in a CSV cell too, at its column', async () => {
    const repo = await createTempRepo({ files: { 'groups/g.yaml': 'name: G\nmemberFiles: [g.csv]\n', 'groups/g.csv': 'phone,unionid\n13800000001,"u\u001f1"\n' } });
    try {
      const r = await loadGroups('groups', repo.dir);
      expect(r.ok ? [] : r.issues.map(formatIssue)).toEqual([expect.stringMatching(/^groups\/g\.csv:2:13: the unionid value contains the control character U\+001F/)]);
    } finally {
      await repo.cleanup();
    }
  });

  it('can no longer make two members share a key (the U+001F join)', () => {
    const text = 'name: G\nmembers:\n  - unionid: "a\\x1fb"\n  - unionid: "a"\n    platform: "b\\x1f"\n';
    expect(issuesOf(text)).toHaveLength(2);
  });
});

describe('nesting', () => {
  const block = (depth: number) => `name: G\nmembers:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(2 + 2 * i)}- a:`).join('\n')}\n${' '.repeat(2 + 2 * depth)}b: "1"\n`;
  const flow = (depth: number) => `name: G\nmembers: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
  const maps = (depth: number) => `${Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')}\n${' '.repeat(depth)}z: 1\n`;

  // Block indentation grows with the depth: 4,000 levels is some 16 MB already.
  it.each([
    ['block sequences', block, [100, 2_000, 4_000]],
    ['flow sequences', flow, [100, 2_000, 4_000, 100_000]],
    ['block mappings', maps, [100, 2_000, 4_000]],
  ] as const)('%s get the same clean message at any depth, never a crash', (_, make, depths) => {
    for (const depth of depths) {
      const issues = issuesOf(make(depth));
      expect(issues, `depth ${depth}`).toEqual([expect.stringMatching(/^groups\/g\.yaml:\d+:\d+: YAML nests too deeply \(more than 64 levels\) to be a groupops file: flatten it$/)]);
    }
  });

  it('reads the nesting a group file has', () => {
    expect(load('name: G\nmembers:\n  - identities:\n      - type: phone\n        value: "13800000001"\n').ok).toBe(true);
  });
});

describe('the subset reader hands what it does not read to the full parser', () => {
  it('takes no directive, and no key YAML would read as other than text', () => {
    expect(subsetOf('%YAML 1.1\n---\nname: G\n')).toBeUndefined();
    expect(subsetOf('name: G\nmembers:\n  - true: "5"\n')).toBeUndefined();
    expect(readGroupFile('g.yaml', Buffer.from('name: G\nmembers:\n  - True: "5"\n')).ok).toBe(false);
  });
});
