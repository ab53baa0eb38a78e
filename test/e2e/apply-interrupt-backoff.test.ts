import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBareServer, type BareServer } from '../helpers/bare-server.js';
import { startCli, type RunningCli } from '../helpers/cli.js';
import { STATE, createRepo, groupYaml, phones, type TempRepo } from '../helpers/apply-env.js';

let server: BareServer | undefined;
let repo: TempRepo | undefined;
let cli: RunningCli | undefined;
afterEach(async () => {
  await cli?.stop();
  await server?.close();
  await repo?.cleanup();
  cli = undefined;
  server = undefined;
  repo = undefined;
});

describe('Ctrl-C while apply waits out a long Retry-After', () => {
  it('ends the wait at once: the server is asked once, and apply exits with the interrupted status', async () => {
    // A server that always says "come back in an hour": the client caps each wait at 30 s, so
    // without the interrupt ending the wait, apply would go on retrying for minutes.
    server = await startBareServer(() => ({ status: 429, headers: { 'retry-after': '3600' }, body: '{"code":"429","errorCode":"SYSTEM_BUSY","msg":"系统繁忙"}' }));
    repo = await createRepo({ '.groupops/config.yaml': 'api:\n  retries: 3\n  concurrency: 1\n', 'groups/a.yaml': groupYaml('A', phones(0, 3)) });
    cli = startCli(['apply', '--auto-approve'], { cwd: repo.dir, env: { RABBITPRE_TOKEN: 'tok-interrupt-backoff', RABBITPRE_BASE_URL: server.url, CI: 'true' } });
    // The retry line is printed as the wait starts.
    await cli.waitFor(/retry: attempt 2 in 30000 ms \(HTTP 429, Retry-After 3600\)/, { stream: 'stderr' });
    cli.signal('SIGINT');
    const result = await cli.done;

    expect(result.code, result.stderr).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(result.stderr).toContain('interrupted: no new request is sent');
    expect(result.stderr).toContain('error: the apply was interrupted; run groupops apply again to send the rest');
    expect(result.stderr).not.toContain('retry: attempt 3');
    expect(result.stdout).toContain('Stopped before any of 1 request was acknowledged.');
    // There was no snapshot before this first apply: it is not "unchanged", there is none yet.
    expect(result.stdout).toContain(`No snapshot was written: nothing was acknowledged, and there is no ${STATE} yet.`);
    expect(result.stdout).not.toContain('unchanged');
    await expect(stat(join(repo.dir, STATE))).rejects.toThrow(/ENOENT/);
  });
});
