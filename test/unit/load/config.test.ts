import { afterEach, describe, expect, it } from 'vitest';
import { openWorkspace } from '../../../src/app/workspace.js';
import { InvalidInputError, type SourceIssue } from '../../../src/errors/index.js';
import { DEFAULT_CONFIG, loadConfig } from '../../../src/load/config.js';
import { createTempRepo, type TempRepo } from '../../helpers/temp-repo.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

/** The issues an invalid config is refused with. */
async function refusal(text: string): Promise<SourceIssue[]> {
  repo = await createTempRepo({ files: { '.groupops/config.yaml': text } });
  const err = await loadConfig(repo.path('.groupops/config.yaml'), true, '.groupops/config.yaml').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidInputError);
  return [...(err as InvalidInputError).issues];
}

describe('loadConfig', () => {
  it('uses the defaults when the optional config is missing', async () => {
    repo = await createTempRepo();
    expect(await loadConfig(repo.path('.groupops/config.yaml'), true)).toEqual(DEFAULT_CONFIG);
  });

  it('reads a valid config over the defaults', async () => {
    repo = await createTempRepo({
      files: {
        '.groupops/config.yaml': [
          '# yaml-language-server: $schema=../schemas/config.schema.json',
          'groups: desired',
          'matchingType: 2',
          'safety:',
          '  maxDeleteCount: 50',
          '  maxDeleteTotal: 800',
          'output:',
          '  maskIdentities: false',
          'api:',
          '  retries: 2',
          '',
        ].join('\n'),
      },
    });
    const config = await loadConfig(repo.path('.groupops/config.yaml'), true);
    expect(config).toEqual({
      groups: 'desired',
      matchingType: 2,
      safety: { maxDeletePercent: 25, maxDeleteCount: 50, maxDeleteTotal: 800 },
      output: { maskIdentities: false, maskIdentitiesSet: true },
      identityTypes: DEFAULT_CONFIG.identityTypes,
      limits: DEFAULT_CONFIG.limits,
      api: { ...DEFAULT_CONFIG.api, retries: 2 },
    });
  });

  it('reads an empty config as the defaults', async () => {
    repo = await createTempRepo({ files: { '.groupops/config.yaml': '# nothing set yet\n' } });
    expect(await loadConfig(repo.path('.groupops/config.yaml'), true)).toEqual(DEFAULT_CONFIG);
  });

  it('caps deletes at 5000 by default, and refuses a cap that is not a whole number', async () => {
    expect(DEFAULT_CONFIG.safety.maxDeleteTotal).toBe(5000);
    expect(await refusal('safety:\n  maxDeleteTotal: 12.5\n')).toEqual([expect.objectContaining({ line: 2, column: 19, message: expect.stringContaining('integer') })]);
  });

  it('refuses an unknown key with its line and a did-you-mean', async () => {
    expect(await refusal('safety:\n  maxDeleteCount: 5\n  maxDeletePercnt: 10\n')).toEqual([
      { file: '.groupops/config.yaml', line: 3, column: 3, message: 'unknown field "maxDeletePercnt" (did you mean "maxDeletePercent"?)' },
    ]);
  });

  it('refuses a wrong type with its line, every issue at once', async () => {
    const issues = await refusal('matchingType: 3\noutput:\n  maskIdentities: "no"\napi:\n  timeoutMs: 500.5\n');
    expect(issues.map((i) => [i.line, i.column])).toEqual([
      [1, 15],
      [3, 19],
      [5, 14],
    ]);
    expect(issues[0]!.message).toBe('matchingType: must be one of 1, 2');
    expect(issues[1]!.message).toBe('output.maskIdentities: must be a boolean, not the text "no"');
    expect(issues[2]!.message).toBe('api.timeoutMs: must be an integer, not the number 500.5');
  });

  it('lists the issues by line, not in the order the schema checks its keys', async () => {
    // The schema checks api after safety and output; the file has it first.
    const issues = await refusal('api:\n  timeoutMs: 500.5\noutput:\n  maskIdentities: "no"\nsafety:\n  maxDeleteCount: -1\nmatchingType: 3\n');
    expect(issues.map((i) => i.line)).toEqual([2, 4, 6, 7]);
  });

  it('refuses YAML problems in the config like in group files', async () => {
    const issues = await refusal('safety:\n  maxDeleteCount: 5\n  maxDeleteCount: 6\n');
    expect(issues[0]).toMatchObject({ line: 3, column: 3, message: expect.stringContaining('duplicate key "maxDeleteCount"') });
  });

  it('refuses a config named with --config that does not exist', async () => {
    repo = await createTempRepo();
    const err = await openWorkspace({ cwd: repo.dir, config: 'conf/groupops.yaml' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).issues).toEqual([{ file: 'conf/groupops.yaml', line: 1, column: 1, message: expect.stringContaining('the config file does not exist') }]);
  });

  it('lets the config set the groups folder and the snapshot path, and options override it', async () => {
    repo = await createTempRepo({ files: { '.groupops/config.yaml': 'groups: desired\nstate: state/snap.json\n' } });
    expect(await openWorkspace({ cwd: repo.dir })).toMatchObject({ groupsDir: 'desired', statePath: 'state/snap.json' });
    expect(await openWorkspace({ cwd: repo.dir, groups: 'other' })).toMatchObject({ groupsDir: 'other', statePath: 'state/snap.json' });
  });
});
