import { describe, expect, it } from 'vitest';
import { readGroupFile } from '../../../src/load/group-file.js';
import { DEFAULT_IDENTITY_TYPES } from '../../../src/load/identity-types.js';
import { readGroupBytes } from '../../../src/load/load-group-file.js';
import { seededRandom } from '../../../src/sandbox/prng.js';
import { expectSubsetAsYaml } from './differential.js';

// A seeded differential fuzzer: random YAML in and around the subset the fast reader takes, with
// the characters and spellings that have fooled it (Unicode white space, keys YAML reads as
// booleans or numbers, directives, quotes, comments, odd indentation). Whatever the fast reader
// accepts, the `yaml` package must accept too and read identically; and the loader (fast path, then
// the full parser) must say exactly what the full parser alone says. Fixed seeds, no timing.

const TYPES = { ...DEFAULT_IDENTITY_TYPES, custom: ['crm_id', 'x'] };
const where = { cwd: '/nonexistent', root: '/nonexistent', identityTypes: TYPES };

const SPACES = [' ', '\t', '\u00a0', '\u3000', '\u2028', '\u2029', '\u202f', '\u205f', '\u1680', '\u2000', '\u200a', '\ufeff', '\u0085', '\u200b', '\u001f', '\r'];
const KEYS = [
  'name',
  'members',
  'category',
  'description',
  'phone',
  'openid',
  'unionid',
  'crm_id',
  'platform',
  'appid',
  'isWeChatEcosystem',
  'identities',
  'type',
  'value',
  'x',
  'a_1',
  'True',
  'no',
  'on',
  'y',
  'n',
  'off',
  'yes',
  'Null',
  'inf',
  'e5',
  'constructor',
  '__proto__',
];
const ODD_KEYS = ['true', 'false', 'null', '~', '.inf', '-.inf', '.NaN', '1', '0x1F', '1e3', '"q"', "'s'", '<<', 'a b', '? k', '"true"', '[a]', '*a', '&a k', '中文'];
const WORDS = [
  'abc',
  '13800000001',
  '+8613800000001',
  '0086138',
  '138 0000',
  '0x1F',
  '0o17',
  '.inf',
  '.NaN',
  'true',
  'TRUE',
  'False',
  'yes',
  'on',
  '~',
  'null',
  '1e3',
  '1_000',
  '+1',
  '-',
  '-x',
  '#',
  'a #b',
  'a#b',
  'a: b',
  'a:',
  '[x]',
  '[]',
  '{}',
  '{x}',
  '!tag x',
  '!!str 1',
  '&a x',
  '*a',
  '@x',
  '`x',
  '%x',
  'x,y',
  '中文',
  'o6_b-x.y',
  'gzh',
  'wx1',
  '|',
  '>',
];

function generator(seed: number) {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;

  const spaced = (s: string) => (chance(0.15) ? pick(SPACES) : '') + s + (chance(0.25) ? pick(SPACES) : '');
  const scalar = (): string => {
    const r = random();
    if (r < 0.55) return spaced(pick(WORDS));
    if (r < 0.75) return `"${spaced(pick(WORDS)).replace(/"/g, '\\"')}${chance(0.2) ? pick(['\\t', '\\x1f', '\\u3000', '\\n', '\\\\']) : ''}"`;
    if (r < 0.9) return `'${spaced(pick(WORDS)).replace(/'/g, "''")}'`;
    return pick(WORDS) + (chance(0.5) ? ` # ${pick(WORDS)}` : '');
  };
  const key = () => (chance(0.12) ? pick(ODD_KEYS) : pick(KEYS)) + (chance(0.05) ? pick(SPACES) : '');
  const flowMap = () => `{ ${Array.from({ length: 1 + Math.floor(random() * 3) }, () => `${key()}: ${scalar()}`).join(chance(0.1) ? ',' : ', ')}${chance(0.05) ? ',' : ''} }`;

  const mapping = (indent: number, depth: number, first = ''): string[] => {
    const lines: string[] = [];
    const n = 1 + Math.floor(random() * 4);
    for (let i = 0; i < n; i++) {
      const pad = i === 0 && first !== '' ? first : ' '.repeat(indent);
      const k = key();
      const r = random();
      if (depth < 4 && r < 0.25) lines.push(`${pad}${k}:`, ...sequence(indent + (chance(0.5) ? 0 : 2), depth + 1));
      else if (depth < 4 && r < 0.4) lines.push(`${pad}${k}:`, ...mapping(indent + 2, depth + 1));
      else if (r < 0.5) lines.push(`${pad}${k}: ${flowMap()}`);
      else lines.push(`${pad}${k}: ${scalar()}`);
      if (chance(0.05)) lines.push(chance(0.5) ? '' : `${' '.repeat(indent)}# comment`);
    }
    return lines;
  };
  const sequence = (indent: number, depth: number): string[] => {
    const lines: string[] = [];
    const n = Math.floor(random() * 4);
    for (let i = 0; i < n; i++) {
      const r = random();
      const dash = `${' '.repeat(indent)}- `;
      if (r < 0.5) lines.push(...mapping(indent + 2, depth + 1, dash));
      else if (r < 0.7) lines.push(`${dash}${flowMap()}`);
      else lines.push(`${dash}${scalar()}`);
    }
    return lines.length > 0 ? lines : [`${' '.repeat(indent)}- ${scalar()}`];
  };

  /** A group file in every member form; `clean` keeps to valid spellings, so that many files load. */
  const groupFile = (clean: boolean): string[] => {
    const text = () => (clean ? pick(['gzh', 'workwechat', '"wx 1"', "'o6_b'"]) : scalar());
    const lines = [`name: ${clean || chance(0.8) ? pick(['VIP', 'VIP客户 2024', 'a b']) : scalar()}`];
    if (chance(0.2)) lines.push(`category: ${clean ? 'enterprise' : pick(['enterprise', 'department', 'department\u00a0', scalar()])}`);
    if (!clean && chance(0.1)) lines.push('department:', `  ${pick(['wxDeptId', 'thirdDeptId', 'deptId'])}: ${scalar()}`);
    lines.push('members:');
    for (let i = 0; i < 1 + Math.floor(random() * 6); i++) {
      const type = clean || chance(0.85) ? pick(['phone', 'openid', 'unionid', 'crm_id', 'x']) : key();
      const value = clean || chance(0.6) ? `"${type === 'phone' ? `1380000000${i}` : pick(['u', 'C-', 'o6_b ', '中'])}${i}${!clean && chance(0.1) ? pick(SPACES) : ''}"` : scalar();
      const r = random();
      if (r < 0.6) {
        lines.push(`  - ${type}: ${value}`);
        if (chance(0.3)) lines.push(`    platform: ${text()}`);
        if (chance(0.2)) lines.push(`    appid: ${text()}`, `    isWeChatEcosystem: ${clean ? pick(['true', 'false', 'True']) : pick(['true', 'false', 'True', 'yes', 'true\u00a0', scalar()])}`);
      } else if (r < 0.85)
        lines.push('  - identities:', `      - { type: ${type}, value: ${value} }`, `      - { type: ${clean ? 'unionid' : pick(['phone', 'unionid', key()])}, value: ${clean ? `v${i}` : scalar()} }`);
      else lines.push('  - identities:', `    - type: ${type}`, `      value: ${value}`);
    }
    return lines;
  };

  /** Edits that move a text out of the subset or into YAML's corners. */
  const mutate = (lines: string[]): string => {
    let text = lines.join('\n') + (chance(0.8) ? '\n' : '');
    if (chance(0.1)) text = text.replace(/\n/g, '\r\n');
    if (chance(0.05)) text = `\ufeff${text}`;
    if (chance(0.08)) text = `${pick(['%YAML 1.1', '%YAML 1.2', '---', '%TAG ! tag:x,2024:'])}\n${chance(0.5) ? '---\n' : ''}${text}`;
    for (let m = Math.floor(random() * 3); m > 0; m--) {
      const at = Math.floor(random() * (text.length + 1));
      const r = random();
      if (r < 0.4) text = text.slice(0, at) + pick(SPACES) + text.slice(at);
      else if (r < 0.6) text = text.slice(0, at) + text.slice(at + 1);
      else if (r < 0.8) text = text.slice(0, at) + pick([' ', ':', '-', '#', '"', "'", '{', '}', ',', '\n', '  ']) + text.slice(at);
      else text = text.slice(0, at) + pick(WORDS) + text.slice(at);
    }
    return text;
  };

  return {
    any: () => (chance(0.3) ? `${groupFile(chance(0.5)).join('\n')}\n` : mutate(chance(0.5) ? mapping(0, 0) : groupFile(false))),
    groupFile: () => (chance(0.4) ? `${groupFile(true).join('\n')}\n` : mutate(groupFile(chance(0.5)))),
  };
}

describe('differential fuzzing of the fast YAML reader against the yaml package', () => {
  it.each([1, 2, 3, 4])('never accepts what YAML refuses, nor reads a value differently (seed %i)', (seed) => {
    const gen = generator(seed);
    let accepted = 0;
    for (let i = 0; i < 600; i++) {
      if (expectSubsetAsYaml(gen.any())) accepted++;
    }
    // The generator must keep feeding the fast reader texts it takes, or the comparison says nothing.
    expect(accepted).toBeGreaterThan(100);
  });

  it.each([5, 6, 7, 8])('loads every group file exactly as the full parser alone does (seed %i)', (seed) => {
    const gen = generator(seed);
    let valid = 0;
    for (let i = 0; i < 250; i++) {
      const bytes = Buffer.from(gen.groupFile());
      const full = readGroupFile('groups/g.yaml', bytes, TYPES);
      expect(readGroupBytes(where, 'groups/g.yaml', bytes), JSON.stringify(bytes.toString())).toEqual(full);
      if (full.ok) valid++;
    }
    expect(valid).toBeGreaterThan(50);
  });
});
