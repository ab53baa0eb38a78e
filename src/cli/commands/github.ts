import type { Command } from 'commander';
import { planWorkspace } from '../../app/plan-workspace.js';
import { githubToken, readActionsContext } from '../../github/actions-context.js';
import { createOctokit, throttleFromEnv } from '../../github/octokit.js';
import { runPrPlan } from '../../github/pr-plan.js';
import { shouldMask, workspaceFrom, type CommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';

interface GitHubPlanOptions extends Omit<CommonOptions, 'format'> {
  comment: boolean;
}

/** The options the github commands share with the others (no --format: their output is fixed). */
function withWorkspaceOptions(cmd: Command): Command {
  return cmd
    .option('--groups <dir>', 'folder of group files (default: groups, or the config)')
    .option('--state <path>', 'snapshot path (default: .groupops/snapshot.json, or the config)')
    .option('--config <path>', 'config file (default: .groupops/config.yaml if present)')
    .option('--mask', 'mask identity values (the default, from the config)')
    .option('--no-mask', 'show identity values in full in the comment and summary');
}

/**
 * `groupops github …`: the steps of the GitHub Actions workflows. They read the standard Actions
 * variables (GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL, GITHUB_STEP_SUMMARY, …) and
 * GITHUB_TOKEN, and talk to GitHub through octokit.
 */
export function registerGitHub(program: Command, io: CliIo, done: (code: number) => void): void {
  const github = program.command('github').description('steps of the GitHub Actions workflows: PR plan comment, apply on merge');
  withWorkspaceOptions(github.command('plan'))
    .description('pull_request step: annotate validation errors, write the plan to the job summary and the sticky PR comment; sends nothing to Rabbitpre')
    .option('--no-comment', 'write the job summary only')
    .action(async (opts: GitHubPlanOptions) => {
      const ctx = await readActionsContext(io.env);
      const result = await runPrPlan({
        ctx,
        cwd: io.cwd,
        comment: opts.comment,
        out: (line) => io.stdout.write(`${line}\n`),
        octokit: () => createOctokit({ baseUrl: ctx.apiUrl, token: githubToken(io.env), throttle: throttleFromEnv(io.env) }),
        plan: async () => {
          const ws = await workspaceFrom(io, { ...opts, format: 'markdown' });
          const { plan } = await planWorkspace(ws);
          return { plan, mask: shouldMask({ ...opts, format: 'markdown' }, ws) };
        },
      });
      done(result.valid ? EXIT.ok : EXIT.error);
    });
}
