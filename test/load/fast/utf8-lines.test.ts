import { describe, expect, it } from 'vitest';
import { readGroupFile } from '../../../src/load/group-file.js';
import { readGroupBytes } from '../../../src/load/load-group-file.js';
import { utf8Lines } from '../../../src/load/fast/utf8-lines.js';
import { readYamlSubset } from '../../../src/load/fast/yaml-subset.js';
import { subsetOf } from './differential.js';

// Group files reach the fast path decoded line by line; whatever the bytes, the loader's result
// must equal the full path's, as it did when files were decoded whole.
const where = { cwd: '/nonexistent', root: '/nonexistent' };
const bytesOf = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('utf8Lines', () => {
  it('decodes each line on its own, keeping a last line without a line feed', () => {
    expect(utf8Lines(Buffer.from('name: 客户\nmembers: []\n'))).toEqual(['name: 客户', 'members: []', '']);
    expect(utf8Lines(Buffer.from('a\n\nb'))).toEqual(['a', '', 'b']);
    expect(utf8Lines(new Uint8Array(Buffer.from('x\ny')))).toEqual(['x', 'y']);
    // As TextDecoder does, the byte-order mark is not part of the text.
    expect(utf8Lines(Buffer.from('\ufeffx\n'))).toEqual(['x', '']);
  });

  it('refuses bytes that are not UTF-8 (the full path reports them)', () => {
    expect(utf8Lines(bytesOf('name: a', [0xff], '\n'))).toBeUndefined();
    expect(utf8Lines(bytesOf('name: ', [0xe5, 0xae], '\n'))).toBeUndefined();
  });
});

describe('the fast path on lines agrees with the text reader and the full path', () => {
  const base = 'name: VIP客户\nmembers:\n  - phone: "18888888888"\n';
  it.each([
    ['LF', base],
    ['CRLF', base.replace(/\n/g, '\r\n')],
    ['a byte-order mark', `\ufeff${base}`],
    ['two byte-order marks', `\ufeff\ufeff${base}`],
    ['a lone CR inside a line', base.replace('members:', 'mem\rbers:')],
    ['a CR at the very end', `${base}\r`],
    ['no final line feed', base.slice(0, -1)],
    ['a tab', base.replace('  - phone', '\t- phone')],
  ])('%s', (_name, text) => {
    const bytes = Buffer.from(text);
    expect(readGroupBytes(where, 'g.yaml', bytes)).toEqual(readGroupFile('g.yaml', bytes));
    const lines = readYamlSubset(utf8Lines(bytes)!);
    const fromLines = 'value' in lines ? lines : undefined;
    const fromText = subsetOf(new TextDecoder().decode(bytes));
    expect(fromLines?.value).toEqual(fromText?.value);
  });

  it('sends bytes that are not UTF-8 to the full path, which reports them', () => {
    const bytes = bytesOf('name: a\nmembers:\n  - phone: "1', [0xff], '"\n');
    const result = readGroupBytes(where, 'g.yaml', bytes);
    expect(result).toEqual(readGroupFile('g.yaml', bytes));
    expect(result.ok).toBe(false);
  });
});
