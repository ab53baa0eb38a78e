import { describe, expect, it } from 'vitest';
import { readCanonicalSnapshot } from '../../../src/state/snapshot-lines.js';
import { renderSnapshot, type Snapshot } from '../../../src/state/snapshot-format.js';
import { parseSnapshot } from '../../../src/state/snapshot-parse.js';
import { enterprise, member, phone, state } from '../core/builders.js';

/** A snapshot written by adopt: its target, and a lastApply that says adopted, with no requests. */
const adopted = (): Snapshot => ({
  target: { name: 'production', baseUrl: 'https://integrate.rabbitpre.com' },
  applied: state([enterprise('VIP客户'), [member(phone('18888888888'))]]),
  lastApply: { commit: null, time: '2024-05-01T08:00:00.000Z', toolVersion: '0.1.0', endpoint: 'https://integrate.rabbitpre.com', complete: true, adopted: 'export', requests: [] },
});

describe('the snapshot records its target and an adoption', () => {
  it("writes the target on its own line after the version, and adopted among lastApply's fields", () => {
    expect(renderSnapshot(adopted())).toBe(
      [
        '{',
        '  "schemaVersion": 1,',
        '  "target": {"name":"production","baseUrl":"https://integrate.rabbitpre.com"},',
        '  "lastApply": {"commit":null,"time":"2024-05-01T08:00:00.000Z","toolVersion":"0.1.0","endpoint":"https://integrate.rabbitpre.com","complete":true,"adopted":"export","requests":[]},',
        '  "groups": [',
        '    {"group":{"name":"VIP客户","category":"enterprise"},"members":[',
        '      {"identities":[{"type":"phone","value":"18888888888"}]}',
        '    ]}',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('reads both back, line by line and as any JSON layout', () => {
    const text = renderSnapshot(adopted());
    const canonical = readCanonicalSnapshot(text);
    expect(canonical?.target).toEqual({ name: 'production', baseUrl: 'https://integrate.rabbitpre.com' });
    expect(canonical?.lastApply?.adopted).toBe('export');
    const reformatted = JSON.stringify(JSON.parse(text), null, 4);
    const whole = parseSnapshot('s.json', reformatted);
    expect(whole.ok && whole.snapshot.target).toEqual({ name: 'production', baseUrl: 'https://integrate.rabbitpre.com' });
    expect(whole.ok && whole.snapshot.lastApply?.adopted).toBe('export');
  });

  it('reads a snapshot of the previous release, without a target, as before', () => {
    const { target: _, ...old } = adopted();
    const text = renderSnapshot(old);
    expect(text).not.toContain('"target"');
    const read = readCanonicalSnapshot(text);
    expect(read).toBeDefined();
    expect(read?.target).toBeUndefined();
  });

  it('refuses a recorded target with a path, credentials or no name: the schema keeps tokens out', () => {
    for (const target of [
      '{"name":"p","baseUrl":"https://integrate.rabbitpre.com/tok-5ecret"}',
      '{"name":"p","baseUrl":"https://u:p@integrate.rabbitpre.com"}',
      '{"name":"","baseUrl":"https://integrate.rabbitpre.com"}',
    ]) {
      const text = renderSnapshot(adopted()).replace(/^ {2}"target": .*$/m, `  "target": ${target},`);
      expect(readCanonicalSnapshot(text)).toBeUndefined();
      const r = parseSnapshot('s.json', text);
      expect(r.ok).toBe(false);
    }
    const unknown = renderSnapshot(adopted()).replace('"adopted":"export"', '"adopted":"api"');
    expect(parseSnapshot('s.json', unknown).ok).toBe(false);
  });
});
