import type { Command } from 'commander';
import type { ApplyCliOptions, GitHubPlanOptions } from '../command-options.js';
import { withWorkspaceOptions } from '../common-options.js';
import type { CliIo } from '../io.js';
import { withApplyOptions } from './apply.js';

/** The options the github commands share with the others (no --format: their output is fixed). */
function withGitHubOptions(cmd: Command): Command {
  return withWorkspaceOptions(cmd).option('--mask', 'mask identity values (the default, from the config)').option('--no-mask', 'show identity values in full in the comment and summary');
}

/**
 * `groupops github …`: the steps of the GitHub Actions workflows. They read the standard Actions
 * variables (GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL, GITHUB_STEP_SUMMARY, …) and
 * GITHUB_TOKEN, and talk to GitHub through octokit. Their work (github-steps.ts) is loaded when a
 * step runs, so that octokit is not loaded by every other command.
 */
export function registerGitHub(program: Command, io: CliIo, done: (code: number) => void): void {
  const github = program.command('github').description('steps of the GitHub Actions workflows: PR plan comment, apply on merge');
  withGitHubOptions(github.command('plan'))
    .description('pull_request step: annotate validation errors, write the plan to the job summary and the sticky PR comment; sends nothing to Rabbitpre')
    .option('--no-comment', 'write the job summary only')
    .action(async (opts: GitHubPlanOptions) => {
      const { githubPlanStep } = await import('./github-steps.js');
      done(await githubPlanStep(io, opts));
    });

  withApplyOptions(withGitHubOptions(github.command('apply')))
    .description('push/workflow_dispatch step: apply, commit the snapshot with the batch IDs through the GitHub API, comment the result on the merged PR (needs RABBITPRE_TOKEN)')
    .action(async (opts: Omit<ApplyCliOptions, 'format'>) => {
      const { githubApplyStep } = await import('./github-steps.js');
      done(await githubApplyStep(io, opts));
    });
}
