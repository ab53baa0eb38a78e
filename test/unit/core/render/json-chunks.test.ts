import { describe, expect, it } from 'vitest';
import { jsonChunks, LazyArray, prettyJsonChunks, textOfChunks, Utf8Chunks } from '../../../../src/core/render/json-chunks.js';

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
          (x, out) => out.write(`{"x":${x}}`),
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
              (x, out) => {
                out.write('{"name":');
                out.jsonString(x.name);
                out.write(`,"value":${JSON.stringify(x.value)}}`);
              },
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

  it('with reuse, hands out the same few buffers, each chunk whole until the next is asked for', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({ name: `客户分群-${i} 😀`, value: String(13800000000 + i) }));
    const entries: [string, unknown][] = [['changes', new LazyArray(items, (x) => x)]];
    const buffers = new Set<ArrayBufferLike>();
    const copies: Uint8Array[] = [];
    for (const chunk of jsonChunks(entries, false, true)) {
      buffers.add(chunk.buffer);
      copies.push(chunk.slice());
    }
    expect(copies.length).toBeGreaterThan(4);
    expect(buffers.size).toBeLessThanOrEqual(3);
    expect(textOfChunks(copies)).toBe(`${JSON.stringify({ changes: items })}\n`);
    const pretty: Uint8Array[] = [];
    for (const chunk of jsonChunks(entries, true, true)) pretty.push(chunk.slice());
    expect(textOfChunks(pretty)).toBe(`${JSON.stringify({ changes: items }, null, 2)}\n`);
  });
});

describe('Utf8Chunks', () => {
  const bytesOf = (write: (out: Utf8Chunks) => void): string => {
    const out = new Utf8Chunks();
    write(out);
    return textOfChunks(out.take(true));
  };

  it('jsonString writes exactly JSON.stringify of any string: quotes, backslashes, control and non-ASCII characters, lone surrogates', () => {
    const strings = ['', 'abc', 'a"b', 'a\\b', '\u0000\u001f\n', '~\u007f', 'é', '研发部', '😀', '\ud83d', 'x\ude00', '会员 "VIP" \ud83d\ude00'];
    for (const s of strings) expect(bytesOf((out) => out.jsonString(s))).toBe(JSON.stringify(s));
  });

  it('writes pieces larger than a chunk, and fills chunks exactly to the MiB', () => {
    const big = 'x'.repeat((1 << 20) + 5);
    for (const text of [big, `${big}é`, 'y'.repeat((1 << 20) - 2)]) {
      expect(bytesOf((out) => out.jsonString(text))).toBe(JSON.stringify(text));
      expect(bytesOf((out) => out.write(text))).toBe(text);
      expect(bytesOf((out) => out.bytes(new TextEncoder().encode(text)))).toBe(text);
    }
    const out = new Utf8Chunks();
    out.bytes(new TextEncoder().encode('z'.repeat((1 << 20) - 3)));
    out.jsonString('c');
    out.jsonString('ab');
    expect(out.take(true).map((c) => c.length)).toEqual([1 << 20, 4]);
  });
});
