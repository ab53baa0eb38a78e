import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/errors/index.js';
import { maskIssue } from '../../src/core/render/mask-issue.js';
import { runMain } from '../helpers/cli.js';
import { scratchRepos } from '../helpers/scratch-repos.js';
import type { Files } from '../helpers/temp-repo.js';

const repos = scratchRepos();

const CONFIG = '.groupops/config.yaml';

const validate = (files: Files) => repos.validate(files);

const group = (...members: string[]) => `name: G\nmembers:\n${members.join('\n')}\n`;

describe('identity value patterns', () => {
  it('refuses a phone number with spaces, dashes or letters at its value, in every form', async () => {
    const r = await validate({
      'groups/g.yaml': group('  - phone: "138 0000 0001"', '  - identities:', '      - { type: phone, value: 138-0000-0002 }', '  - phone: "138000O0003"', '  - phone: "+8613800000004"'),
      'groups/h.yaml': 'name: H\nmemberFiles: [h.csv]\n',
      'groups/h.csv': 'unionid,phone\nu1,139 0000 0001\n',
    });
    expect(r.ok ? [] : r.issues.map(formatIssue)).toEqual([
      expect.stringMatching(/^groups\/g\.yaml:3:12: phone "138 0000 0001" does not match the pattern of phone \(\^\\\+\?\[0-9\]\+\$\): write digits only, with an optional leading \+/),
      expect.stringMatching(/^groups\/g\.yaml:5:31: phone "138-0000-0002" does not match the pattern of phone/),
      expect.stringMatching(/^groups\/g\.yaml:6:12: phone "138000O0003" does not match/),
      expect.stringMatching(/^groups\/h\.csv:2:4: phone "139 0000 0001" does not match/),
    ]);
    // The value is quoted: PR comments and CI logs mask it.
    const first = r.ok ? undefined : r.issues[0]!;
    expect(first && maskIssue(first).message).toContain('"138****0001"');
  });

  it('takes patterns from the config, for custom types and instead of the phone default', async () => {
    const files = { 'groups/g.yaml': group('  - crm_id: "C-12"', '  - crm_id: "C-000417"', '  - phone: "138 0000 0001"') };
    const config = "identityTypes:\n  custom: [crm_id]\n  patterns:\n    crm_id: 'C-[0-9]{6}'\n    phone: '.+'\n";
    const r = await validate({ ...files, [CONFIG]: config });
    expect(r.ok ? [] : r.issues.map(formatIssue)).toEqual([
      expect.stringMatching(
        /^groups\/g\.yaml:3:13: crm_id "C-12" does not match the pattern of crm_id \(C-\[0-9\]\{6\}\): write a value matching C-\[0-9\]\{6\}; identityTypes\.patterns\.crm_id in the config sets the pattern$/,
      ),
    ]);
  });
});

describe('phone numbers that differ only by a country prefix', () => {
  const files = {
    'groups/g.yaml': group('  - phone: "13800000001"', '  - phone: "+8613800000001"', '  - phone: "13900000002"'),
    'groups/h.yaml': 'name: H\nmemberFiles: [h.csv]\nmembers:\n  - phone: "13700000003"\n',
    'groups/h.csv': 'phone\n008613700000003\n',
  };

  it('are a warning, not an error: the groups stay valid and the warnings name both places', async () => {
    const r = await validate(files);
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    expect(r.desired.warnings.map(formatIssue)).toEqual([
      'groups/g.yaml:4:1: phone "+8613800000001" and phone "13800000001" (line 3) differ only by the country prefix, so they are probably one person listed twice in group "G": keep one of them',
      'groups/h.csv:2:1: phone "008613700000003" and phone "13700000003" (groups/h.yaml:4) differ only by the country prefix, so they are probably one person listed twice in group "H": keep one of them',
    ]);
  });

  it('are printed by validate and plan without changing the exit status, and listed in validate --format json', async () => {
    const repo = await repos.create(files);
    const validated = await runMain(['validate'], { cwd: repo.dir });
    expect(validated.code).toBe(0);
    expect(validated.stderr).toContain('groups/g.yaml:4:1: warning: phone "+8613800000001" and phone "13800000001" (line 3) differ only by the country prefix');
    const planned = await runMain(['plan', '--detailed-exitcode'], { cwd: repo.dir });
    expect(planned.code).toBe(2);
    expect(planned.stderr).toContain('groups/h.csv:2:1: warning: phone "008613700000003"');
    const json = await runMain(['validate', '--format', 'json'], { cwd: repo.dir });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: true,
      warnings: [
        { file: 'groups/g.yaml', line: 4, column: 1 },
        { file: 'groups/h.csv', line: 2, column: 1 },
      ],
    });
  });

  it('are masked in CI like every identity value', async () => {
    const repo = await repos.create(files);
    const validated = await runMain(['validate'], { cwd: repo.dir, env: { CI: 'true' } });
    expect(validated.code).toBe(0);
    expect(validated.stderr).toContain('phone "+86****0001" and phone "138****0001"');
    expect(validated.stderr).not.toContain('13800000001');
  });
});
