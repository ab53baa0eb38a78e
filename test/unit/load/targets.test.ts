import { afterEach, describe, expect, it } from 'vitest';
import { checkSnapshotTarget, selectTarget } from '../../../src/app/target.js';
import { openWorkspace } from '../../../src/app/workspace.js';
import { exitCodeFor } from '../../../src/cli/exit-codes.js';
import { GroupopsError, InvalidInputError, UnsafePlanError, type SourceIssue } from '../../../src/errors/index.js';
import { DEFAULT_CONFIG, loadConfig, type Config } from '../../../src/load/config.js';
import { createTempRepo, type TempRepo } from '../../helpers/temp-repo.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const TWO_TARGETS = [
  'groups: desired',
  'targets:',
  '  production:',
  '    baseUrl: https://integrate.rabbitpre.com',
  '    tokenEnv: RABBITPRE_TOKEN',
  '    state: .groupops/snapshot.json',
  '  test:',
  '    baseUrl: https://test.example.com/gateway',
  '    tokenEnv: RABBITPRE_TOKEN_TEST',
  '    state: .groupops/test.snapshot.json',
  '    groups: test-groups',
  '',
].join('\n');

async function refusal(text: string): Promise<SourceIssue[]> {
  await repo?.cleanup(); // a test that loads twice replaces its repository
  repo = await createTempRepo({ files: { '.groupops/config.yaml': text } });
  const err = await loadConfig(repo.path('.groupops/config.yaml'), true, '.groupops/config.yaml').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidInputError);
  return [...(err as InvalidInputError).issues];
}

const withTargets = (targets: Config['targets']): Config => ({ ...DEFAULT_CONFIG, targets });

describe('targets in the config', () => {
  it('--target selects a declared target, with its groups folder (or the shared one) and snapshot', async () => {
    await repo?.cleanup(); // a test that loads twice replaces its repository
    repo = await createTempRepo({ files: { '.groupops/config.yaml': TWO_TARGETS } });
    const test = await openWorkspace({ cwd: repo.dir, target: 'test' });
    expect(test).toMatchObject({ groupsDir: 'test-groups', statePath: '.groupops/test.snapshot.json' });
    expect(test.target).toMatchObject({ name: 'test', declared: true, baseUrl: 'https://test.example.com/gateway', tokenEnv: 'RABBITPRE_TOKEN_TEST' });
    const production = await openWorkspace({ cwd: repo.dir, target: 'production', state: 'elsewhere.json', env: { RABBITPRE_BASE_URL: 'http://127.0.0.1:1' } });
    // Flags still win; RABBITPRE_BASE_URL does not move a named target.
    expect(production).toMatchObject({ groupsDir: 'desired', statePath: 'elsewhere.json' });
    expect(production.target.baseUrl).toBe('https://integrate.rabbitpre.com');
  });

  it('without targets: one implicit target, its base URL from RABBITPRE_BASE_URL, api.baseUrl or the default', () => {
    expect(selectTarget(DEFAULT_CONFIG, undefined, {})).toMatchObject({ name: 'default', declared: false, baseUrl: 'https://integrate.rabbitpre.com', tokenEnv: 'RABBITPRE_TOKEN' });
    const config = { ...DEFAULT_CONFIG, api: { ...DEFAULT_CONFIG.api, baseUrl: 'https://tenant.example.com' } };
    expect(selectTarget(config, undefined, {})).toMatchObject({ baseUrl: 'https://tenant.example.com', baseUrlFrom: 'api.baseUrl in the config' });
    expect(selectTarget(config, undefined, { RABBITPRE_BASE_URL: ' http://127.0.0.1:9 ' })).toMatchObject({ baseUrl: 'http://127.0.0.1:9', baseUrlFrom: 'RABBITPRE_BASE_URL' });
  });

  it('one declared target needs no --target; several do; an unknown name lists the declared ones', () => {
    const one = withTargets({ only: { baseUrl: 'https://a.example.com', tokenEnv: 'A_TOKEN', state: 'a.json' } });
    expect(selectTarget(one, undefined, {}).name).toBe('only');
    const two = withTargets({ production: { baseUrl: 'https://a.example.com', tokenEnv: 'A', state: 'a.json' }, staging: { baseUrl: 'https://b.example.com', tokenEnv: 'B', state: 'b.json' } });
    expect(() => selectTarget(two, undefined, {})).toThrow('the config declares several targets (production, staging): choose one with --target NAME');
    expect(() => selectTarget(two, 'stagign', {})).toThrow('unknown target "stagign" (did you mean "staging"?): the config declares production, staging');
    expect(() => selectTarget(DEFAULT_CONFIG, 'production', {})).toThrow('--target production: the config declares no targets');
  });

  it('a tokenEnv that is not a variable name is refused without quoting it (it may be the token pasted in)', async () => {
    const token = 'tok-5ecret-Value-0123456789abcdef';
    const issues = await refusal(`targets:\n  production:\n    baseUrl: https://integrate.rabbitpre.com\n    tokenEnv: ${token}\n    state: s.json\n`);
    expect(issues).toEqual([
      {
        file: '.groupops/config.yaml',
        line: 4,
        column: 15,
        message:
          "targets.production.tokenEnv names the environment variable that holds the target's token, e.g. RABBITPRE_TOKEN_TEST (upper-case letters, digits and _): never write the token itself in the config",
      },
    ]);
    expect(JSON.stringify(issues)).not.toContain(token);
  });

  it("refuses two targets sharing a snapshot, credentials in a base URL, and the implicit target's state and api.baseUrl beside targets", async () => {
    // Every rule broken at once; a bad target name is a schema error, reported before the rest.
    const conflicting = [
      'state: .groupops/snapshot.json',
      'api:',
      '  baseUrl: https://integrate.rabbitpre.com',
      'targets:',
      '  a:',
      '    baseUrl: https://user:pa55@a.example.com',
      '    tokenEnv: A',
      '    state: ./.groupops/a.json',
      '  b:',
      '    baseUrl: https://b.example.com',
      '    tokenEnv: B',
      '    state: .groupops/a.json',
    ];
    const issues = await refusal([...conflicting, '  bad name!:', '    baseUrl: https://c.example.com', '    tokenEnv: C', '    state: c.json', ''].join('\n'));
    const messages = issues.map((i) => `${i.line}:${i.column}: ${i.message}`);
    expect(messages).toEqual([expect.stringContaining('13:3: target name "bad name!"')]);
    const rules = await refusal([...conflicting, ''].join('\n'));
    expect(rules.map((i) => `${i.line}:${i.column}: ${i.message}`)).toEqual([
      '1:1: state: is the snapshot of the implicit target; with targets:, each target names its own (targets.NAME.state): remove it, or move it into a target',
      "3:3: api.baseUrl is the implicit target's base URL; with targets:, each target names its own (targets.NAME.baseUrl): remove it, or move it into a target",
      '6:14: targets.a.baseUrl must be a plain URL (scheme, host, optional port and path) without credentials, query or fragment: the token comes from the variable tokenEnv names',
      '12:12: targets.b.state is also the snapshot of target "a": give each target its own snapshot file (a snapshot records the memberships of one tenant)',
    ]);
    expect(JSON.stringify(rules)).not.toContain('pa55');
  });
});

describe('checkSnapshotTarget', () => {
  const implicit = selectTarget(DEFAULT_CONFIG, undefined, { RABBITPRE_BASE_URL: 'http://127.0.0.1:9' });
  const recorded = { target: { name: 'default', baseUrl: 'https://integrate.rabbitpre.com' }, lastApply: null };

  it('refuses (exit 3) a snapshot of another tenant, naming both and the way out', () => {
    const err = (() => {
      try {
        checkSnapshotTarget(recorded, implicit, '.groupops/snapshot.json', 'plan');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnsafePlanError);
    expect(exitCodeFor(err)).toBe(3);
    expect((err as Error).message).toBe(
      'refusing to plan: .groupops/snapshot.json belongs to target "default" (https://integrate.rabbitpre.com), but RABBITPRE_BASE_URL points at http://127.0.0.1:9: the snapshot\'s memberships say nothing about that tenant, so a plan against it would be wrong.\n' +
        "Unset RABBITPRE_BASE_URL (or point it at https://integrate.rabbitpre.com), or use that tenant's own snapshot (--state, or a named target: see docs/config.md). If the snapshot does describe the tenant at http://127.0.0.1:9 (the tenant moved, or the target was renamed), record that with `groupops adopt --retarget` and commit the snapshot.",
    );
  });

  it('accepts the snapshot of the selected target, and one that records none', () => {
    expect(() => checkSnapshotTarget(recorded, selectTarget(DEFAULT_CONFIG, undefined, {}), 's.json', 'apply')).not.toThrow();
    expect(() => checkSnapshotTarget({ lastApply: null }, implicit, 's.json', 'apply')).not.toThrow();
  });

  it('a base URL that is not http(s) is a config error, not a refusal', () => {
    const bad = selectTarget(DEFAULT_CONFIG, undefined, { RABBITPRE_BASE_URL: 'integrate.rabbitpre.com' });
    expect(() => checkSnapshotTarget(recorded, bad, 's.json', 'plan')).toThrow(GroupopsError);
    expect(() => checkSnapshotTarget(recorded, bad, 's.json', 'plan')).toThrow('the base URL from RABBITPRE_BASE_URL is not an http(s) URL');
  });
});
