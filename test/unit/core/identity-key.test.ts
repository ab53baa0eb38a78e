import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/core/plan.js';
import { identityKey, memberKey, type Identity } from '../../../src/core/model.js';
import { seededRandom } from '../../../src/sandbox/prng.js';
import { enterprise, member, state } from './builders.js';

// Keys join their parts with U+001F: a part holding U+001F (possible in a snapshot or a journal,
// which are not group files) must not make two different identities share a key.
describe('identityKey', () => {
  it('keeps the plain key for identities without separators (snapshots keep their order)', () => {
    expect(identityKey({ type: 'phone', value: '13800000001' })).toBe('phone\u001f13800000001\u001f\u001f');
    expect(identityKey({ type: 'openid', value: 'o1', platform: 'gzh', appid: 'wx1', isWeChatEcosystem: true })).toBe('openid\u001fo1\u001fgzh\u001fwx1');
  });

  it('tells apart a separator inside a value from the separator between parts', () => {
    const a = identityKey({ type: 'phone', value: 'a\u001fb' });
    const b = identityKey({ type: 'phone', value: 'a', platform: 'b\u001f' });
    const c = identityKey({ type: 'phone', value: 'a', platform: 'b' });
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('tells apart an empty platform or appid from an absent one', () => {
    const keys = [
      { type: 't', value: 'v' },
      { type: 't', value: 'v', platform: '' },
      { type: 't', value: 'v', appid: '' },
      { type: 't', value: 'v', platform: '', appid: '' },
    ].map(identityKey);
    expect(new Set(keys).size).toBe(4);
  });

  it('gives distinct identities distinct keys (seeded search over separator-heavy parts)', () => {
    const random = seededRandom(11);
    const alphabet = ['a', '\u001f', '\u001e', '\u001d', ''];
    const part = () => Array.from({ length: Math.floor(random() * 4) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const optional = () => (random() < 0.3 ? undefined : part());
    const byKey = new Map<string, string>();
    for (let i = 0; i < 5_000; i++) {
      const platform = optional();
      const appid = optional();
      const id: Identity = { type: `t${part()}`, value: part(), ...(platform !== undefined ? { platform } : {}), ...(appid !== undefined ? { appid } : {}) };
      const canonical = JSON.stringify([id.type, id.value, id.platform ?? null, id.appid ?? null]);
      const key = identityKey(id);
      const before = byKey.get(key);
      if (before !== undefined) expect(before).toBe(canonical);
      byKey.set(key, canonical);
    }
  });

  it('deletes both of two applied members whose parts once joined to the same key', () => {
    // Before: phone "a\x1fb" and phone "a" + platform "b\x1f" shared a key, so the snapshot held one of
    // them and the other membership was never deleted.
    const g = enterprise('G');
    const applied = state([g, [member({ type: 'phone', value: 'a\u001fb' }), member({ type: 'phone', value: 'a', platform: 'b\u001f' })]]);
    expect(memberKey(member({ type: 'phone', value: 'a\u001fb' }))).not.toBe(memberKey(member({ type: 'phone', value: 'a', platform: 'b\u001f' })));
    const plan = buildPlan(state(), applied);
    expect(plan.summary.delete).toBe(2);
  });
});
