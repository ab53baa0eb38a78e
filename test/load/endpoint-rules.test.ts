import { describe, expect, it } from 'vitest';
import { groupKey } from '../../src/core/model.js';
import { InvalidInputError, formatIssue } from '../../src/errors/index.js';
import { loadConfig } from '../../src/load/config.js';
import { customerSettingsOf, userGroupEndpoint, v1SettingsOf } from '../../src/load/endpoint-config.js';
import { readGroupFile } from '../../src/load/group-file.js';
import { scratchRepos } from '../helpers/scratch-repos.js';
import type { Files } from '../helpers/temp-repo.js';
import { fastGroupOf } from './fast/differential.js';

const repos = scratchRepos();

const CONFIG = '.groupops/config.yaml';

/** The issues (path:line:col: message) validation refuses a workspace with. */
async function refused(files: Files): Promise<string[]> {
  const r = await repos.validate(files);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.issues.map(formatIssue);
}

async function accepted(files: Files) {
  const r = await repos.validate(files);
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.desired;
}

const V1_CONFIG = 'userGroups:\n  endpoint: v1\nv1:\n  isMatching: true\n  matchingType: 2\n  identifyWay: 1\n';

describe('config: the endpoint settings', () => {
  it('defaults to v2 for user groups and the seed example for customer groups', async () => {
    const repo = await repos.create();
    const config = await loadConfig(repo.path(CONFIG), true);
    expect(userGroupEndpoint(config)).toBe('v2');
    expect(customerSettingsOf(config)).toEqual({ isMatching: true, matchingType: 2, identifyWay: 1, optType: { add: 'add', delete: 'delete' } });
  });

  it('reads v1 and customer settings; exact customer matching takes no default identifyWay', async () => {
    const repo = await repos.create({ [CONFIG]: `${V1_CONFIG}customer:\n  isMatching: false\n  matchingType: 1\n  optType: { add: 1, delete: 2 }\n` });
    const config = await loadConfig(repo.path(CONFIG), true);
    expect(userGroupEndpoint(config)).toBe('v1');
    expect(v1SettingsOf(config)).toEqual({ isMatching: true, matchingType: 2, identifyWay: 1 });
    expect(customerSettingsOf(config)).toEqual({ isMatching: false, matchingType: 1, optType: { add: 1, delete: 2 } });
  });

  const configRefusals: [string, string, RegExp][] = [
    ['v1 selected without its settings', 'userGroups:\n  endpoint: v1\n', /:2:13: userGroups\.endpoint v1 needs a v1: section with at least isMatching/],
    ['a v1 section without isMatching', 'v1:\n  matchingType: 1\n', /:2:3: v1: missing required field "isMatching"/],
    ['fuzzy v1 matching without identifyWay', 'userGroups: { endpoint: v1 }\nv1:\n  isMatching: true\n  matchingType: 2\n', /:4:17: v1\.matchingType 2 \(fuzzy matching\) needs v1\.identifyWay/],
    ['identifyWay with exact matching', 'v1:\n  isMatching: true\n  matchingType: 1\n  identifyWay: 2\n', /:4:3: v1\.identifyWay applies to fuzzy matching \(matchingType: 2\) only/],
    ['an accurate match with fuzzy matching', 'v1:\n  isMatching: true\n  matchingType: 2\n  identifyWay: 1\n  accurateMatchType: gzh\n', /:5:3: v1\.accurateMatchType is for exact matching/],
    ['an app id without its app type', 'v1:\n  isMatching: true\n  accurateMatchValue: wx1\n', /:3:3: v1\.accurateMatchValue \(the app id\) needs v1\.accurateMatchType/],
    ['an unknown app type', 'v1:\n  isMatching: true\n  accurateMatchType: weibo\n', /:3:22: v1\.accurateMatchType: must be one of "gzh"/],
    ['an unknown endpoint', 'userGroups:\n  endpoint: v3\n', /:2:13: userGroups\.endpoint: must be one of "v2", "v1"/],
    ['a customer identifyWay other than 1 or 2', 'customer:\n  matchingType: 2\n  identifyWay: 3\n', /identifyWay: must be one of 1, 2/],
    ['one optType for add and delete', 'customer:\n  optType: { add: 1, delete: "1" }\n', /:2:12: customer\.optType sends the same value/],
    ['identifyWay with exact customer matching', 'customer:\n  matchingType: 1\n  identifyWay: 1\n', /:3:3: customer\.identifyWay applies to fuzzy matching/],
  ];

  it.each(configRefusals)('refuses %s at its line', async (_what, text, pattern) => {
    const repo = await repos.create({ [CONFIG]: text });
    const err = await loadConfig(repo.path(CONFIG), true, CONFIG).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).issues.map(formatIssue).join('\n')).toMatch(pattern);
  });
});

describe('group files: customer groups (kind: customer)', () => {
  it('reads a customer group apart from a user group of the same name', async () => {
    const desired = await accepted({
      'groups/users.yaml': 'name: 会员\nmembers:\n  - phone: "13800000001"\n',
      'groups/customers.yaml': 'name: 会员\nkind: customer\nmembers:\n  - audienceUserId: "C1"\n  - identities:\n      - { type: unionid, value: u2 }\n      - { type: phone, value: "13800000002" }\n',
      'groups/explicit.yaml': 'name: Users\nkind: user\nmembers: []\n',
    });
    expect([...desired.state.keys()].sort()).toEqual(
      [groupKey({ name: '会员', category: 'enterprise' }), groupKey({ name: 'Users', category: 'enterprise' }), groupKey({ name: '会员', category: 'enterprise', kind: 'customer' })].sort(),
    );
    expect(desired.state.get(groupKey({ name: '会员', category: 'enterprise', kind: 'customer' }))!.members.size).toBe(2);
  });

  it('refuses a category or department on a customer group', async () => {
    expect(await refused({ 'groups/c.yaml': 'name: C\nkind: customer\ncategory: enterprise\nmembers: []\n' })).toEqual([
      'groups/c.yaml:3:1: a customer group (kind: customer) has no category or department: remove it (the customer-group endpoint takes group names only)',
    ]);
    expect(await refused({ 'groups/c.yaml': 'name: C\nkind: customer\ndepartment:\n  wxDeptId: "1"\nmembers: []\n' })).toEqual([
      'groups/c.yaml:3:1: a customer group (kind: customer) has no category or department: remove it (the customer-group endpoint takes group names only)',
    ]);
  });

  it('refuses identities a customer cannot have, naming the member line', async () => {
    const issues = await refused({
      'groups/c.yaml': [
        'name: C',
        'kind: customer',
        'members:',
        '  - audienceUserId: "C1"',
        '  - thirdId: "T1"',
        '  - identities:',
        '      - { type: phone, value: "1" }',
        '      - { type: phone, value: "2" }',
        '  - openid: o1',
        '    platform: gzh',
        '',
      ].join('\n'),
    });
    expect(issues).toEqual([
      'groups/c.yaml:5:1: identity type "thirdId" cannot be sent to a customer group (kind: customer): use audienceUserId, openid, unionid, phone',
      'groups/c.yaml:6:1: two phone identities: a customer group (kind: customer) takes at most one of each type per member',
      'groups/c.yaml:9:1: openid has platform, which the customer-group endpoint does not take: remove it',
    ]);
  });

  it('checks the members of CSV member lists too, at their lines', async () => {
    const issues = await refused({
      [CONFIG]: 'identityTypes:\n  custom: [crm_id]\n',
      'groups/c.yaml': 'name: C\nkind: customer\nmemberFiles: [c.csv]\n',
      'groups/c.csv': 'phone,crm_id\n13800000001,\n13800000002,X9\n',
    });
    expect(issues).toEqual(['groups/c.csv:3:1: identity type "crm_id" cannot be sent to a customer group (kind: customer): use audienceUserId, openid, unionid, phone']);
  });

  it('reads a customer group the same through the fast and the full reader', () => {
    const text = 'name: 会员\nkind: customer\ndescription: d\nmembers:\n  - audienceUserId: "C1"\n  - phone: "13800000001"\n';
    const full = readGroupFile('groups/c.yaml', Buffer.from(text));
    if (!full.ok) throw new Error('expected a valid file');
    expect(fastGroupOf('groups/c.yaml', text)).toEqual(full.group);
    expect(full.group.group).toEqual({ name: '会员', category: 'enterprise', kind: 'customer' });
  });
});

describe('group files with userGroups.endpoint: v1', () => {
  it('accepts phone, openid, unionid and thirdId, one of each; platform/appid only as the configured accurate match', async () => {
    const desired = await accepted({
      [CONFIG]: 'userGroups: { endpoint: v1 }\nv1:\n  isMatching: true\n  matchingType: 1\n  accurateMatchType: gzh\n  accurateMatchValue: wx1\n',
      'groups/a.yaml':
        'name: A\nmembers:\n  - thirdId: "T1"\n  - openid: o1\n    platform: gzh\n    appid: wx1\n    isWeChatEcosystem: true\n  - identities:\n      - { type: unionid, value: u1 }\n      - { type: phone, value: "1" }\n',
    });
    expect(desired.state.size).toBe(1);
  });

  it('refuses what v1 cannot express, naming each member line; v2 takes the same files', async () => {
    const files: Files = {
      'groups/a.yaml': [
        'name: A',
        'members:',
        '  - crm_id: X1',
        '  - identities:',
        '      - { type: phone, value: "1" }',
        '      - { type: phone, value: "2" }',
        '  - openid: o1',
        '    platform: workwechat',
        '',
      ].join('\n'),
      'groups/d.yaml': 'name: D\ncategory: department\ndepartment:\n  wxDeptId: "7"\nmembers:\n  - phone: "1"\n',
    };
    const customTypes = 'identityTypes:\n  custom: [crm_id]\n';
    expect(await refused({ ...files, [CONFIG]: V1_CONFIG + customTypes })).toEqual([
      'groups/a.yaml:3:1: identity type "crm_id" cannot be sent to the v1 endpoint (userGroups.endpoint: v1): use phone, openid, unionid, thirdId',
      'groups/a.yaml:4:1: two phone identities: the v1 endpoint (userGroups.endpoint: v1) takes at most one of each type per member',
      'groups/a.yaml:7:1: openid has platform "workwechat", which v1 cannot send per member: remove it, or set v1.accurateMatchType: workwechat in the config',
      'groups/d.yaml:1:1: group "D" is a department group, which the v1 endpoint (userGroups.endpoint: v1 in the config) cannot address: it has no category or department fields; use v2 for department groups',
    ]);
    expect((await accepted({ ...files, [CONFIG]: customTypes })).state.size).toBe(2);
  });
});
