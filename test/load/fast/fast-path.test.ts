import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGroupFile } from '../../../src/load/group-file.js';
import { DEFAULT_IDENTITY_TYPES, type IdentityTypeSettings } from '../../../src/load/identity-types.js';
import { expectSameAsFull as sameAsFull, fastGroupOf, subsetOf, yamlReading } from './differential.js';

// The fast path must be invisible: for every input, what the loader returns (fast path, or the
// full path it falls back to) equals what the full path alone returns, issues and positions
// included; and whenever the subset reader accepts a text, its value equals the yaml package's.
const corpus = join(import.meta.dirname, '../../fixtures/groups');
/** The custom types these files use, declared as a config's identityTypes.custom would. */
const TYPES: IdentityTypeSettings = { ...DEFAULT_IDENTITY_TYPES, custom: ['workwechat', 'email', 'custom_id', 'custom'] };
const full = (file: string, text: string) => readGroupFile(file, Buffer.from(text), TYPES);
const yamlValue = (text: string) => yamlReading(text)?.value;
const expectSameAsFull = (file: string, text: string) => sameAsFull(file, text, TYPES);

/** A group file in the shapes people write, all of which the fast path should take. */
const typical = [
  '# yaml-language-server: $schema=../schemas/group.schema.json',
  'name: VIP客户 2024',
  'category: enterprise   # the default',
  "description: 'free text: with a colon'",
  '',
  'members:',
  '  - phone: "18888888888"',
  "  - phone: '13900000000'    # quoted either way",
  '  # a comment between members',
  '  - openid: o6_bmjrPTlm6_2sgVt7hMZOPfL2M',
  '    platform: gzh',
  '    appid: wx1234567890abcdef',
  '    isWeChatEcosystem: true',
  '  - identities:',
  '      - { type: unionid, value: oUpF8uMuAJO_M2pxb1Q9zNjWeS6o }',
  '      - { type: phone, value: "13700000000", platform: "x y" }',
  '  - identities:',
  '    - type: workwechat',
  '      value: "  zhang.san  "',
  '      isWeChatEcosystem: False',
  '  -   email: a@example.com',
  '',
].join('\n');

const department = ['name: 研发部', 'category: department', 'department:', '  wxDeptId: "1001"', 'members:', '- phone: "13500000004"', '- custom_id: C-0001', ''].join('\n');

describe('the fast path reads the common shapes itself', () => {
  it.each([
    ['typical.yaml', typical],
    ['department.yaml', department],
    ['crlf.yaml', typical.replace(/\n/g, '\r\n')],
    ['bom.yaml', `\ufeff${typical}`],
    ['empty-members.yaml', 'name: Empty\nmembers: []\n'],
    ['member-files.yaml', 'name: Bulk\nmemberFiles:\n  - a.csv\n  - "b.csv"\n'],
  ])('%s: same group as the full path, without falling back', (file, text) => {
    const fast = fastGroupOf(file, text, TYPES);
    expect(fast).toBeDefined();
    const reference = full(file, text);
    expect(reference.ok).toBe(true);
    expect(fast).toEqual(reference.ok ? reference.group : undefined);
    expect(subsetOf(text)!.value).toEqual(yamlValue(text));
  });

  it('keeps member lines and the name line', () => {
    const g = fastGroupOf('t.yaml', typical, TYPES)!;
    expect(g.nameLine).toBe(2);
    expect(g.members.map((m) => m.line)).toEqual([7, 8, 10, 14, 17, 21]);
    expect(g.members[4]!.member.identities[0]).toEqual({ type: 'workwechat', value: 'zhang.san', isWeChatEcosystem: false });
  });
});

describe('fast path and full path agree on the fixture corpus', () => {
  for (const kind of ['valid', 'invalid']) {
    const dir = join(corpus, kind);
    for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) {
      it(`${kind}/${name}`, () => expectSameAsFull(`${kind}/${name}`, readFileSync(join(dir, name), 'utf8')));
    }
  }
});

/** Edits of the typical file that leave the subset or break the file: each must give the full path's answer. */
const mutations: [string, (t: string) => string][] = [
  ['unquoted phone (a YAML number)', (t) => t.replace('"18888888888"', '18888888888')],
  ['leading-zero number', (t) => t.replace('"18888888888"', '0188')],
  ['+86 number', (t) => t.replace('"18888888888"', '+8618888888888')],
  ['float', (t) => t.replace('"18888888888"', '1.5e3')],
  ['hex', (t) => t.replace('"18888888888"', '0x1F')],
  ['null value', (t) => t.replace('"18888888888"', 'null')],
  ['tilde value', (t) => t.replace('"18888888888"', '~')],
  ['empty value', (t) => t.replace(' "18888888888"', '')],
  ['boolean identity', (t) => t.replace('"18888888888"', 'yes')],
  ['TRUE identity', (t) => t.replace('"18888888888"', 'TRUE')],
  ['.inf', (t) => t.replace('"18888888888"', '.inf')],
  ['escaped double quotes', (t) => t.replace('"18888888888"', '"188\\t88"')],
  ['doubled single quote', (t) => t.replace("'13900000000'", "'139''00'")],
  ['unterminated quote', (t) => t.replace('"18888888888"', '"18888888888')],
  ['text after a quoted value', (t) => t.replace('"18888888888"', '"188" x')],
  ['comment without a space', (t) => t.replace('"18888888888"', '"188"#c')],
  ['tab indentation', (t) => t.replace('    platform: gzh', '\tplatform: gzh')],
  ['tab in a value', (t) => t.replace('platform: gzh', 'platform: g\tzh')],
  ['odd indentation', (t) => t.replace('    platform: gzh', '     platform: gzh')],
  ['less indentation', (t) => t.replace('    platform: gzh', '   platform: gzh')],
  ['duplicate key', (t) => t.replace('    platform: gzh', '    platform: gzh\n    platform: mp')],
  ['duplicate top-level key', (t) => `${t}name: again\n`],
  ['duplicate member', (t) => t.replace('"13900000000"', '"18888888888"')],
  ['duplicate member after trimming', (t) => t.replace("'13900000000'", "' 18888888888 '")],
  ['two identity keys', (t) => t.replace('  - phone: "18888888888"', '  - phone: "18888888888"\n    unionid: u1')],
  ['unknown top-level field', (t) => `${t}owner: me\n`],
  ['typo in a field', (t) => t.replace('platform: gzh', 'platfrom: gzh')],
  ['appid without isWeChatEcosystem', (t) => t.replace('    isWeChatEcosystem: true\n', '')],
  ['isWeChatEcosystem as text', (t) => t.replace('isWeChatEcosystem: true', 'isWeChatEcosystem: "true"')],
  ['anchor and alias', (t) => t.replace('platform: gzh', 'platform: &p gzh').replace('platform: "x y"', 'platform: *p')],
  ['tag', (t) => t.replace('"18888888888"', '!!str 18888888888')],
  ['merge key', (t) => t.replace('    platform: gzh', '    <<: { platform: gzh }')],
  ['document marker', (t) => `---\n${t}`],
  ['two documents', (t) => `${t}---\nname: B\nmembers: []\n`],
  ['directive', (t) => `%YAML 1.2\n---\n${t}`],
  ['block scalar description', (t) => t.replace("description: 'free text: with a colon'", 'description: |\n  two\n  lines')],
  ['folded plain scalar', (t) => t.replace("description: 'free text: with a colon'", 'description: two\n  lines')],
  ['plain value with ": "', (t) => t.replace('platform: gzh', 'platform: a: b')],
  ['plain value ending in ":"', (t) => t.replace('platform: gzh', 'platform: gzh:')],
  ['plain value with " #"', (t) => t.replace('platform: gzh', 'platform: g #zh')],
  ['plain value with "#"', (t) => t.replace('platform: gzh', 'platform: g#zh')],
  ['indicator-led value', (t) => t.replace('platform: gzh', 'platform: @gzh')],
  ['dash-led value', (t) => t.replace('platform: gzh', 'platform: -gzh')],
  ['flow map with trailing comma', (t) => t.replace('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o }', 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o, }')],
  ['flow map without space', (t) => t.replace('{ type: unionid,', '{type:unionid,')],
  ['flow map over two lines', (t) => t.replace('value: oUpF8uMuAJO_M2pxb1Q9zNjWeS6o }', 'value: oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\n        }')],
  ['flow sequence of members', (t) => t.replace(/members:\n[\s\S]*$/, 'members: [ { phone: "1" } ]\n')],
  ['member as flow map', (t) => t.replace('  - phone: "18888888888"', '  - { phone: "18888888888" }')],
  ['member on the next line', (t) => t.replace('  - phone: "18888888888"', '  -\n    phone: "18888888888"')],
  ['scalar member', (t) => t.replace('  - phone: "18888888888"', '  - "18888888888"')],
  ['nested sequence', (t) => t.replace('  - phone: "18888888888"', '  - - phone: "1"')],
  ['members: null', (t) => t.replace(/members:\n[\s\S]*$/, 'members:\n')],
  ['empty identities', (t) => t.replace(/ {2}- identities:\n {6}- \{ type: unionid[^\n]*\n[^\n]*\n/, '  - identities: []\n')],
  ['quoted key', (t) => t.replace('  - phone: "18888888888"', '  - "phone": "18888888888"')],
  ['key with a space before the colon', (t) => t.replace('  - phone: "18888888888"', '  - phone : "18888888888"')],
  ['boolean-looking key', (t) => t.replace('  - phone: "18888888888"', '  - true: "18888888888"')],
  ['reserved key type', (t) => t.replace('  - phone: "18888888888"', '  - type: "18888888888"')],
  ['identity type with a dash', (t) => t.replace('  - phone: "18888888888"', '  - mobile-phone: "18888888888"')],
  ['blank identity value', (t) => t.replace('"18888888888"', '"   "')],
  ['name with a comma', (t) => t.replace('name: VIP客户 2024', 'name: a,b')],
  ['name too long', (t) => t.replace('name: VIP客户 2024', `name: ${'长'.repeat(65)}`)],
  ['category department without department', (t) => t.replace('category: enterprise', 'category: department')],
  ['deptId department', (t) => t.replace('category: enterprise   # the default', 'category: department\ndepartment:\n  deptId: 40213')],
  ['blank wxDeptId', (t) => t.replace('category: enterprise   # the default', 'category: department\ndepartment:\n  wxDeptId: " "')],
  ['lone CR', (t) => t.replace('\n', '\r')],
  ['control character', (t) => t.replace('gzh', 'g\u0007zh')],
  ['NEL', (t) => t.replace('gzh', 'g\u0085zh')],
  ['BOM inside', (t) => t.replace('gzh', 'g\ufeffzh')],
  ['lone surrogate', (t) => t.replace('gzh', 'g\ud800zh')],
  ['astral characters', (t) => t.replace('gzh', 'g😀zh')],
  ['top level not a mapping', () => '- a\n- b\n'],
  ['empty file', () => ''],
  ['only comments', () => '# nothing\n'],
  [
    'indented document',
    (t) =>
      t
        .split('\n')
        .map((l) => (l ? `  ${l}` : l))
        .join('\n'),
  ],
  ['constructor key', (t) => t.replace('  - phone: "18888888888"', '  - constructor: "18888888888"')],
  ['memberFiles not a list', (t) => `${t}memberFiles: a.csv\n`],
  ['memberFiles with a non-csv', (t) => `${t}memberFiles:\n  - a.txt\n`],
];

describe('fast path and full path agree on edits that leave the subset or break the file', () => {
  it.each(mutations)('%s', (_, edit) => expectSameAsFull('groups/t.yaml', edit(typical)));
  it.each(mutations)('%s (department file)', (_, edit) => expectSameAsFull('groups/d.yaml', edit(department)));
});

describe('fast path and full path agree on generated files', () => {
  // A deterministic pseudo-random mix of members, so many combinations are compared.
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const values = ['"13800000000"', "'abc'", 'plain_text', 'o6_b-x.y', '中文值', '" padded "', 'a b c', 'x,y', '"a #b"', "'it''s'", '12345', 'true', '~', '""', '"x\\ty"'];
  const memberLine = (i: number): string[] => {
    const v = values[rand(values.length)]!;
    switch (rand(4)) {
      case 0:
        return [`  - phone: ${v}`];
      case 1:
        return [`  - openid: ${v}`, `    platform: ${values[rand(values.length)]}`, '    appid: wx1', `    isWeChatEcosystem: ${rand(2) ? 'true' : 'false'}`];
      case 2:
        return ['  - identities:', `      - { type: unionid, value: ${v} }`, `      - { type: phone, value: "${i}" }`];
      default:
        return ['  - identities:', '      - type: custom', `        value: ${v}`];
    }
  };
  for (let f = 0; f < 40; f++) {
    const lines = [`name: generated-${f}`, 'members:'];
    for (let i = 0; i < 25; i++) lines.push(...memberLine(i));
    const text = `${lines.join('\n')}\n`;
    it(`generated file ${f}`, () => expectSameAsFull(`groups/g${f}.yaml`, text));
  }
});
