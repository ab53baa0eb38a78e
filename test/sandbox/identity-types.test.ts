import { describe, expect, it } from 'vitest';
import { BUILTIN_TYPE_NAMES } from '../../src/load/identity-types.js';
import { codes, item, rawPost, useSandbox, v2Body } from './raw.js';

const sandbox = useSandbox();

// The sandbox is the vendor's fake, whose set of identity types is open; every type groupops
// builds in must at least be one it takes.
describe('the sandbox takes every built-in identity type', () => {
  it('on the v2 endpoint, and holds a membership for each', async () => {
    const items = BUILTIN_TYPE_NAMES.map((type, i) => item({ identities: [{ identityValue: `v${i}`, identityType: type }], groups: 'all-types' }));
    const answer = await rawPost(sandbox(), v2Body(items));
    expect(codes(answer)).toEqual({ status: 200, code: '200', errorCode: 'SUCCESS' });
    expect(
      sandbox()
        .memberships()
        .filter((m) => m.group.name === 'all-types'),
    ).toHaveLength(BUILTIN_TYPE_NAMES.length);
  });
});
