import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../../src/state/journal.js';
import { jsonErrorSnippet } from '../../../src/state/json-snippet.js';

const messageOf = (text: string): string => {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a syntax error');
};

describe('jsonErrorSnippet', () => {
  it('finds the input text a JSON.parse error quotes, whole or cut short', () => {
    expect(jsonErrorSnippet(messageOf('{"v": u18888888888}'))).toBe('{"v": u18888888888}');
    const long = `{"groups":[${'{"value":"13800000000"},'.repeat(10)}{"value": u18888888888}]}`;
    const snippet = jsonErrorSnippet(messageOf(long));
    expect(snippet).toContain('u188888');
    expect(messageOf(long)).toContain(snippet);
  });

  it('finds nothing in messages that quote no input', () => {
    expect(jsonErrorSnippet(messageOf('{"v": "1"} x'))).toBeUndefined();
    expect(jsonErrorSnippet(messageOf(''))).toBeUndefined();
  });

  it('marks the quoted text of a corrupt journal line as sensitive', () => {
    const r = parseJournal('.groupops/snapshot.json.journal', '{"v": u18888888888}\n');
    expect(r.ok).toBe(false);
    const issue = r.ok ? undefined : r.issues[0];
    expect(issue?.sensitive).toEqual(['{"v": u18888888888}']);
    expect(issue?.message).toContain('u18888888888');
  });
});
