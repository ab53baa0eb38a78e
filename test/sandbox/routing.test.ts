import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { codes, rawPost, useSandbox, V2_PATH, v2Body } from './raw.js';

// An endpoint named exactly by the request line is routed without parsing a URL; these show that
// the shortcut routes as the parsed path does.

const sandbox = useSandbox();

describe('sandbox routing', () => {
  it('routes the exact path and the same path with a query alike, logging the path only', async () => {
    expect(codes(await rawPost(sandbox(), v2Body()))).toEqual({ status: 200, code: '200', errorCode: 'SUCCESS' });
    expect(codes(await rawPost(sandbox(), v2Body(), { path: `${V2_PATH}?trace=1` }))).toEqual({ status: 200, code: '200', errorCode: 'SUCCESS' });
    expect(
      sandbox()
        .requests()
        .map((r) => r.path),
    ).toEqual([V2_PATH, V2_PATH]);
  });

  it('answers 404 for a path that only starts like an endpoint', async () => {
    expect(codes(await rawPost(sandbox(), v2Body(), { path: `${V2_PATH}x` }))).toEqual({ status: 404, code: '404', errorCode: 'NOT_FOUND' });
  });

  describe('with a path prefix the inspection API claims', () => {
    let own: Sandbox | undefined;
    afterEach(async () => {
      await own?.close();
    });

    it('leaves the inspection API in charge of its paths', async () => {
      own = await startSandbox({ pathPrefix: '/__sandbox' });
      const answer = await rawPost(own, v2Body(), { path: '/__sandbox/audience/group/rel/v2/batchAdd' });
      expect(answer.status).toBe(404);
      expect(answer.json?.error).toMatch(/no inspection route/);
      expect(own.memberships()).toEqual([]);
    });
  });
});
