import { afterEach, describe, expect, it } from 'vitest';
import { isCi } from '../../../src/cli/common-options.js';
import { runMain } from '../../helpers/cli.js';
import { createTempRepo, type Files, type TempRepo } from '../../helpers/temp-repo.js';

// A CI log is read by everyone with access to the repository: in CI (or when the config says so)
// every format masks identity values, problems included; --no-mask opts out.

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const VALUE = '13800000001';
const MASKED = '138****0001';
const GROUPS: Files = { 'groups/g.yaml': `name: G\nmembers:\n  - phone: "${VALUE}"\n  - openid: o6_bmjrPTlm6_2sgVt7hMZOPfL2M\n` };
const DUPLICATE: Files = { 'groups/g.yaml': `name: G\nmembers:\n  - phone: "${VALUE}"\n  - phone: "${VALUE}"\n` };

async function run(files: Files, args: string[], env: NodeJS.ProcessEnv) {
  repo ??= await createTempRepo({ files });
  const r = await runMain(args, { cwd: repo.dir, env });
  return { ...r, output: r.stdout + r.stderr };
}

describe('masking identity values in CI', () => {
  it.each([['text'], ['markdown'], ['json']])('plan --format %s masks them when CI is set', async (format) => {
    const r = await run(GROUPS, ['plan', '--format', format], { CI: 'true' });
    expect(r.code).toBe(0);
    expect(r.output).toContain(MASKED);
    expect(r.output).not.toContain(VALUE);
    expect(r.output).not.toContain('o6_bmjrPTlm6_2sgVt7hMZOPfL2M');
  });

  it('masks the values problems quote, on stderr and in validate --format json', async () => {
    const text = await run(DUPLICATE, ['validate'], { CI: 'true' });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`duplicate member: phone "${MASKED}"`);
    expect(text.output).not.toContain(VALUE);
    const json = await run(DUPLICATE, ['validate', '--format', 'json'], { CI: 'true' });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).issues[0].message).toContain(`phone "${MASKED}"`);
    expect(json.output).not.toContain(VALUE);
  });

  it('shows them with --no-mask, and outside CI', async () => {
    expect((await run(GROUPS, ['plan', '--no-mask'], { CI: 'true' })).stdout).toContain(VALUE);
    for (const env of [{}, { CI: '' }, { CI: 'false' }, { CI: '0' }]) {
      const r = await run(GROUPS, ['plan'], env);
      expect(r.stdout, JSON.stringify(env)).toContain(VALUE);
    }
    await repo!.write(DUPLICATE);
    const problems = await run(DUPLICATE, ['validate', '--no-mask'], { CI: '1' });
    expect(problems.stderr).toContain(`phone "${VALUE}"`);
  });

  it('follows output.maskIdentities when the config writes it, in every format; in CI only --no-mask unmasks (a PR can change the config)', async () => {
    const masked = await run({ ...GROUPS, '.groupops/config.yaml': 'output:\n  maskIdentities: true\n' }, ['plan'], {});
    expect(masked.stdout).toContain(MASKED);
    expect(masked.stdout).not.toContain(VALUE);
    await repo!.write({ '.groupops/config.yaml': 'output:\n  maskIdentities: false\n' });
    const local = await run(GROUPS, ['plan', '--format', 'markdown'], {});
    expect(local.stdout).toContain(VALUE);
    for (const format of ['text', 'markdown', 'json']) {
      const ci = await run(GROUPS, ['plan', '--format', format], { CI: 'true' });
      expect(ci.stdout).toContain(MASKED);
      expect(ci.stdout).not.toContain(VALUE);
    }
    const optedOut = await run(GROUPS, ['plan', '--no-mask'], { CI: 'true' });
    expect(optedOut.stdout).toContain(VALUE);
  });

  it('reads CI as CI services set it', () => {
    expect([{ CI: 'true' }, { CI: '1' }, { CI: 'TRUE' }, { CI: 'woodpecker' }].map(isCi)).toEqual([true, true, true, true]);
    expect([{}, { CI: '' }, { CI: 'false' }, { CI: 'False' }, { CI: '0' }].map(isCi)).toEqual([false, false, false, false, false]);
  });
});
