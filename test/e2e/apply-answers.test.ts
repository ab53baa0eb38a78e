import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startBareServer, type BareServer } from '../helpers/bare-server.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { STATE, createRepo, groupYaml, phones, runGroupops, sandboxEnv, type TempRepo } from '../helpers/apply-env.js';
import { ownedPerTest } from '../helpers/owned-per-test.js';

// Client retries on: an answer that is not an acknowledgement must fail whether or not retries are left.
const CONFIG = 'api:\n  retries: 2\n  timeoutMs: 5000\n  concurrency: 1\n';

let sandbox: Sandbox | undefined;
let server: BareServer | undefined;
let proxy: ConnectProxy | undefined;
let repo: TempRepo | undefined;
const own = ownedPerTest();

describe('apply records only what the API acknowledged with errorCode SUCCESS', () => {
  it('an HTTP 200 with code "200" but errorCode SYSTEM_ERROR fails the apply: exit 1, snapshot untouched, the plan still shows the memberships', async () => {
    sandbox = own(await startSandbox({ faults: { script: ['systemError'] } }));
    repo = own(await createRepo({ '.groupops/config.yaml': CONFIG, 'groups/a.yaml': groupYaml('A', phones(0, 3)) }));
    const result = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox) });

    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('HTTP 200 with code "200" but errorCode "SYSTEM_ERROR" (not SUCCESS) [SYSTEM_ERROR: import failed] (1 attempt)');
    // A first apply: there is no snapshot to be "unchanged".
    expect(result.stdout).toContain(`No snapshot was written: nothing was acknowledged, and there is no ${STATE} yet.`);
    expect(result.stdout).not.toContain('send the rest');
    expect(sandbox.requests()).toHaveLength(1);
    expect(sandbox.memberships()).toEqual([]);
    await expect(stat(join(repo.dir, STATE))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(repo.dir, `${STATE}.journal`))).rejects.toThrow(/ENOENT/);

    const plan = await runGroupops(['plan'], { cwd: repo.dir, env: {} });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('Plan: 3 to add, 0 to delete');

    // Once the API acknowledges, the same memberships go out and are recorded.
    const again = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox) });
    expect(again.code, again.stderr).toBe(0);
    expect(sandbox.memberships()).toHaveLength(3);
  });

  it('an HTTP 401 says what to check, and not to run again to send the rest', async () => {
    sandbox = own(await startSandbox());
    repo = own(await createRepo({ '.groupops/config.yaml': CONFIG, 'groups/a.yaml': groupYaml('A', phones(0, 3)) }));
    const result = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: sandboxEnv(sandbox, 'not-the-token') });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('hint: check RABBITPRE_TOKEN');
    expect(`${result.stdout}${result.stderr}`).not.toContain('send the rest');
    expect(result.stdout).toContain('Fix what the error names before running groupops apply again');
  });
});

describe('apply names the address it could not reach, and where it came from', () => {
  it('connection refused: names RABBITPRE_BASE_URL and the address tried', async () => {
    server = own(await startBareServer(() => 'drop'));
    const url = server.url;
    await server.close();
    repo = own(await createRepo({ '.groupops/config.yaml': 'api:\n  retries: 0\n', 'groups/a.yaml': groupYaml('A', phones(0, 3)) }));
    const result = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: { RABBITPRE_TOKEN: 'tok-refused', RABBITPRE_BASE_URL: url } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`hint: nothing accepted the connection to ${url}: check the address in RABBITPRE_BASE_URL`);
  });

  it('connection refused: names api.baseUrl in the config when the config supplied the address', async () => {
    server = own(await startBareServer(() => 'drop'));
    const url = server.url;
    await server.close();
    repo = own(await createRepo({ '.groupops/config.yaml': `api:\n  retries: 0\n  baseUrl: ${url}\n`, 'groups/a.yaml': groupYaml('A', phones(0, 3)) }));
    const result = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: { RABBITPRE_TOKEN: 'tok-refused' } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`nothing accepted the connection to ${url}: check the address in api.baseUrl in the config`);
  });
});

describe('apply with a token in the base URL path', () => {
  const PATH_TOKEN = 'ptok-0b7e2c91d4f8';

  it('sends to that path but prints and records the endpoint without it', async () => {
    server = own(await startBareServer(() => ({ body: `{"code":"200","errorCode":"SUCCESS","msg":"ok","data":15314513451345123}` })));
    repo = own(await createRepo({ '.groupops/config.yaml': CONFIG, 'groups/a.yaml': groupYaml('A', phones(0, 3)) }));
    const result = await runGroupops(['apply', '--auto-approve', '--format', 'json'], { cwd: repo.dir, env: { RABBITPRE_TOKEN: 'tok-path', RABBITPRE_BASE_URL: `${server.url}/${PATH_TOKEN}` } });
    expect(result.code, result.stderr).toBe(0);
    expect(server.requests[0]?.url).toBe(`/${PATH_TOKEN}/api/integrate/audience/group/rel/v2/batchAdd`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(PATH_TOKEN);
    const snapshot = (await repo.snapshotText())!;
    expect(snapshot).not.toContain(PATH_TOKEN);
    expect(snapshot).toContain(`${server.url}/[redacted]/api/integrate/audience/group/rel/v2/batchAdd`);
  });

  it('keeps it out of the error when the server echoes the path', async () => {
    sandbox = own(await startSandbox());
    repo = own(await createRepo({ '.groupops/config.yaml': CONFIG, 'groups/a.yaml': groupYaml('A', phones(0, 3)) }));
    // The sandbox knows no such path: its 404 says "no endpoint at /<token>/api/...".
    const result = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: { RABBITPRE_TOKEN: sandbox.token, RABBITPRE_BASE_URL: `${sandbox.url}/${PATH_TOKEN}` } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('HTTP 404');
    expect(result.stderr).toContain('no endpoint at [redacted]/api/integrate');
    expect(`${result.stdout}${result.stderr}`).not.toContain(PATH_TOKEN);
  });
});

describe('apply through a proxy', () => {
  it('honours HTTP_PROXY from the environment, and NO_PROXY', async () => {
    sandbox = own(await startSandbox());
    proxy = own(await startConnectProxy());
    repo = own(await createRepo({ '.groupops/config.yaml': CONFIG, 'groups/a.yaml': groupYaml('A', phones(0, 3)) }));
    const result = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: { ...sandboxEnv(sandbox), HTTP_PROXY: proxy.url } });
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.tunnels.map((t) => t.target)).toEqual([new URL(sandbox.url).host]);
    expect(sandbox.memberships()).toHaveLength(3);

    await repo.write({ 'groups/a.yaml': groupYaml('A', phones(0, 4)) });
    repo.commit('one more');
    const direct = await runGroupops(['apply', '--auto-approve'], { cwd: repo.dir, env: { ...sandboxEnv(sandbox), http_proxy: proxy.url, no_proxy: '127.0.0.1' } });
    expect(direct.code, direct.stderr).toBe(0);
    expect(proxy.tunnels).toHaveLength(1);
    expect(sandbox.memberships()).toHaveLength(4);
  });
});
