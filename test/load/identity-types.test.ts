import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/errors/index.js';
import { readGroupFile } from '../../src/load/group-file.js';
import { BUILTIN_TYPE_NAMES, DEFAULT_IDENTITY_TYPES } from '../../src/load/identity-types.js';
import { readGroupBytes } from '../../src/load/load-group-file.js';
import { scratchRepos } from '../helpers/scratch-repos.js';
import type { Files } from '../helpers/temp-repo.js';
import { fastGroupOf } from './fast/differential.js';

const repos = scratchRepos();

const CONFIG = '.groupops/config.yaml';

/** The issues (path:line:col: message) validation refuses a workspace with; [] when it accepts it. */
async function problems(files: Files): Promise<string[]> {
  const r = await repos.validate(files);
  return r.ok ? [] : r.issues.map(formatIssue);
}

const group = (...members: string[]) => `name: G\nmembers:\n${members.join('\n')}\n`;

describe('identity types are a declared set', () => {
  it('refuses a misspelt type in the shorthand, at its key, with a did-you-mean', async () => {
    const issues = await problems({ 'groups/g.yaml': group('  - phnoe: "13800000001"', '  - Phone: "13800000002"', '  - telephone: "13800000003"', '  - unionId: u1') });
    expect(issues.map((i) => i.slice(0, i.indexOf(':', i.indexOf('unknown')) + 1))).toEqual([
      'groups/g.yaml:3:5: unknown identity type "phnoe" (did you mean "phone"?):',
      'groups/g.yaml:4:5: unknown identity type "Phone" (did you mean "phone"?):',
      'groups/g.yaml:5:5: unknown identity type "telephone" (did you mean "phone"?):',
      'groups/g.yaml:6:5: unknown identity type "unionId" (did you mean "unionid"?):',
    ]);
    expect(issues[0]).toContain('use a built-in type (phone, openid, unionid, thirdId, audienceUserId, workwechat_userid)');
    expect(issues[0]).toContain('identityTypes.custom');
  });

  it('refuses a misspelt type in the full form, at its type value', async () => {
    const issues = await problems({ 'groups/g.yaml': group('  - identities:', '      - { type: phone, value: "13800000001" }', '      - type: opneid', '        value: o1') });
    expect(issues).toEqual([expect.stringMatching(/^groups\/g\.yaml:5:15: unknown identity type "opneid" \(did you mean "openid"\?\)/)]);
  });

  it('refuses a misspelt type in a CSV header, at its column', async () => {
    const issues = await problems({ 'groups/g.yaml': 'name: G\nmemberFiles: [g.csv]\n', 'groups/g.csv': 'phone,UnionID\n13800000001,u1\n' });
    expect(issues).toEqual([expect.stringMatching(/^groups\/g\.csv:1:7: column "UnionID" is not a known identity type or member field \(did you mean "unionid"\?\)/)]);
  });

  it('accepts every built-in type, and a custom type declared in the config', async () => {
    const builtIns = BUILTIN_TYPE_NAMES.map((t, i) => `  - ${t}: "${t === 'phone' ? '13800000001' : `v${i}`}"`);
    expect(await problems({ 'groups/g.yaml': group(...builtIns) })).toEqual([]);
    const custom = {
      'groups/g.yaml': group('  - memberNo: "M-1"', '  - identities:', '      - { type: crm_id, value: C1 }'),
      'groups/g2.yaml': 'name: H\nmemberFiles: [h.csv]\n',
      'groups/h.csv': 'memberNo,phone\nM-2,13800000001\n',
    };
    expect(await problems(custom)).toEqual([
      expect.stringMatching(/^groups\/g\.yaml:3:5: unknown identity type "memberNo"/),
      expect.stringMatching(/^groups\/g\.yaml:5:17: unknown identity type "crm_id"/),
      expect.stringMatching(/^groups\/h\.csv:1:1: column "memberNo" is not a known identity type/),
    ]);
    expect(await problems({ ...custom, [CONFIG]: 'identityTypes:\n  custom: [memberNo, crm_id]\n' })).toEqual([]);
  });

  it('reads the same through the fast and the full reader: both refuse an unknown type, both take a declared one', () => {
    const text = group('  - phone: "13800000001"', '  - memberNo: "M-1"');
    expect(fastGroupOf('g.yaml', text)).toBeUndefined();
    const where = { cwd: '/nonexistent', root: '/nonexistent' };
    expect(readGroupBytes(where, 'g.yaml', Buffer.from(text))).toEqual(readGroupFile('g.yaml', Buffer.from(text)));
    const declared = { ...DEFAULT_IDENTITY_TYPES, custom: ['memberNo'] };
    const full = readGroupFile('g.yaml', Buffer.from(text), declared);
    expect(full.ok).toBe(true);
    expect(fastGroupOf('g.yaml', text, declared)).toEqual(full.ok ? full.group : undefined);
  });

  it('refuses a config pattern for a type that is not declared, a bad pattern, and a member field as a custom type', async () => {
    const issues = await problems({
      [CONFIG]: "identityTypes:\n  custom: [memberNo, platform]\n  patterns:\n    phnoe: '^1'\n    memberNo: '(unclosed'\n",
      'groups/g.yaml': group('  - phone: "13800000001"'),
    });
    expect(issues).toEqual([
      expect.stringMatching(/^\.groupops\/config\.yaml:2:22: identityTypes\.custom: "platform" is a member field, not an identity type/),
      expect.stringMatching(/^\.groupops\/config\.yaml:4:5: identityTypes\.patterns: "phnoe" is not an identity type \(did you mean "phone"\?\)/),
      expect.stringMatching(/^\.groupops\/config\.yaml:5:15: identityTypes\.patterns\.memberNo is not a valid regular expression/),
    ]);
  });
});

describe('the group schema lists the built-in types for editors', () => {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../schemas/group.schema.json'), 'utf8')) as {
    definitions: Record<string, { properties?: Record<string, unknown>; patternProperties?: Record<string, unknown>; examples?: string[] }>;
  };

  it('offers each built-in type as a key of a shorthand member (yaml-language-server completes properties)', () => {
    const props = Object.keys(schema.definitions.shorthandMember!.properties!);
    expect(props).toEqual(expect.arrayContaining(BUILTIN_TYPE_NAMES as string[]));
    // A built-in key is checked once, by its property, not again by the pattern for custom types.
    const [pattern] = Object.keys(schema.definitions.shorthandMember!.patternProperties!);
    for (const t of BUILTIN_TYPE_NAMES) expect(new RegExp(pattern!).test(t), t).toBe(false);
    expect(new RegExp(pattern!).test('memberNo')).toBe(true);
  });

  it('offers each built-in type as the value of a full-form type', () => {
    expect(schema.definitions.identityType!.examples).toEqual(BUILTIN_TYPE_NAMES);
  });
});
