import { describe, expect, it } from 'vitest';
import { LazyArray, prettyJsonChunks } from '../../../../src/core/render/json-chunks.js';

const text = (entries: [string, unknown][]) => [...prettyJsonChunks(entries)].join('');

describe('prettyJsonChunks', () => {
  it('writes exactly JSON.stringify(object, null, 2), lazy arrays element by element', () => {
    const changes = [{ op: 'add', group: { name: '客户 "A"', category: 'enterprise' }, member: { identities: [{ type: 'phone', value: '138\n0' }] } }, { op: 'delete', nested: [[], {}, [1, [2]]] }];
    const entries: [string, unknown][] = [
      ['summary', { add: 1, delete: 1 }],
      ['checksum', 'abc'],
      ['changes', new LazyArray(changes, (c) => ({ ...c }))],
      ['empty', new LazyArray([], (c) => c)],
      ['requests', [{ op: 'add', items: 2 }]],
      ['none', []],
      ['nothing', {}],
      ['text', 'x'],
    ];
    expect(text(entries)).toBe(JSON.stringify({ ...Object.fromEntries(entries), changes, empty: [] }, null, 2));
  });

  it('keeps a repeated key in its first place with its last value, and leaves out undefined, as an object literal and JSON.stringify do', () => {
    const entries: [string, unknown][] = [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['a', 'again'],
      ['b', undefined],
      ['f', () => 1],
    ];
    expect(text(entries)).toBe(JSON.stringify(Object.assign({ a: 1, b: 2, c: 3 }, { a: 'again', b: undefined, f: () => 1 }), null, 2));
    expect(text([['b', undefined]])).toBe('{}');
    expect(text([['list', new LazyArray([1, 2], () => undefined)]])).toBe(JSON.stringify({ list: [undefined, undefined] }, null, 2));
  });

  it('hands a long array out in pieces of bounded size that join to the whole', () => {
    const items = Array.from({ length: 20_000 }, (_, i) => ({ op: 'add', member: { identities: [{ type: 'phone', value: String(13800000000 + i) }] } }));
    const pieces = [...prettyJsonChunks([['changes', new LazyArray(items, (x) => x)]])];
    expect(pieces.length).toBeGreaterThan(10);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(70_000);
    expect(pieces.join('')).toBe(JSON.stringify({ changes: items }, null, 2));
  });
});
