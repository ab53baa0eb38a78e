import { describe, expect, it } from 'vitest';
import { jsonChunks, LazyArray, prettyJsonChunks, textOfChunks } from '../../../../src/core/render/json-chunks.js';

const text = (entries: [string, unknown][]) => [...prettyJsonChunks(entries)].join('');

describe('prettyJsonChunks', () => {
  it('writes exactly JSON.stringify(object, null, 2), lazy arrays element by element', () => {
    const changes = [
      { op: 'add', group: { name: '客户 "A"', category: 'enterprise' }, member: { identities: [{ type: 'phone', value: '138\n0' }] } },
      { op: 'delete', nested: [[], {}, [1, [2]]] },
    ];
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

describe('jsonChunks', () => {
  it('writes exactly JSON.stringify(object) and a line feed, or the pretty text, with the same entry rules', () => {
    const entries: [string, unknown][] = [
      ['a', 1],
      [
        'list',
        new LazyArray(
          [1, 2, 3],
          (x) => ({ x }),
          (x) => `{"x":${x}}`,
        ),
      ],
      ['mapped', new LazyArray(['é', undefined], (x) => x)],
      ['a', 'again'],
      ['gone', undefined],
    ];
    const object = { a: 'again', list: [{ x: 1 }, { x: 2 }, { x: 3 }], mapped: ['é', null] };
    expect(textOfChunks(jsonChunks(entries, false))).toBe(`${JSON.stringify(object)}\n`);
    expect(textOfChunks(jsonChunks(entries, true))).toBe(`${JSON.stringify(object, null, 2)}\n`);
  });

  it('hands out UTF-8 chunks of about a MiB, each of whole characters, that join to the whole', () => {
    const items = Array.from({ length: 60_000 }, (_, i) => ({ name: `客户分群-${i} 😀`, value: String(13800000000 + i) }));
    const chunks = [
      ...jsonChunks(
        [
          [
            'changes',
            new LazyArray(
              items,
              (x) => x,
              (x) => JSON.stringify(x),
            ),
          ],
        ],
        false,
      ),
    ];
    expect(chunks.length).toBeGreaterThan(2);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(1 << 20);
    const strict = new TextDecoder('utf-8', { fatal: true });
    const text = chunks.map((c) => strict.decode(c)).join('');
    expect(text).toBe(`${JSON.stringify({ changes: items })}\n`);
  });
});
