import type { Command } from 'commander';

// What `--help` adds below commander's list of options: examples, exit statuses and the
// environment, so a user finds how to call a command without leaving the terminal.

/** The environment variables groupops reads, for the top-level help. */
const ENVIRONMENT = `
Environment variables:
  RABBITPRE_TOKEN          the X-Token apply sends (required by apply; never printed); a named
                           target reads the variable its tokenEnv names instead
  RABBITPRE_BASE_URL       the API's base URL (default https://integrate.rabbitpre.com; /api/integrate is appended)
  CI                       set to anything but empty, 0 or false: apply goes ahead without a terminal; progress as log lines
  NO_COLOR                 set and not empty: no colours (so does --no-color)
  FORCE_COLOR              colours even when the output is not a terminal; 0 or false: none
  TERM                     dumb: no colours
  GROUPOPS_VERBOSE         set (not empty, 0 or false): as --verbose, where no flag can be added (a workflow step)
  GITHUB_TOKEN, GITHUB_*   read by the github steps in Actions (see docs/github.md)`;

const EXIT_STATUSES = `
Exit statuses:
  0  success
  1  error: invalid files or config, a failed, partial or cancelled apply; explain: nothing matches
  2  plan --detailed-exitcode: the plan has changes
  3  refused, nothing sent or written: apply by a safety limit; plan or apply for a snapshot of
     another target; adopt over recorded memberships or existing group files (--force)`;

const ROOT = `
groupops runs in the repository root; from a folder below it, it finds the root as git does (the
nearest folder above that holds .groupops/, .git or groups/). Docs: docs/commands.md`;

/** Examples and exit statuses per command, by the command's path (`github apply`). */
const COMMANDS: Readonly<Record<string, string>> = {
  init: `
Examples:
  groupops init                                scaffold this repository: config, an example group, workflows, schemas
  groupops init acme-groups                    the same in ./acme-groups (created if missing)
  groupops init --branch trunk                 the apply workflow applies pushes to trunk
  groupops init --action acme/groupops@v0.1.0  the workflows use a fork's Action
  groupops init --force                        replace the files init writes (.gitignore only gains lines)

Exit status: 0 scaffolded (also when every file was left as it was), 1 a bad option or a path it cannot write (nothing written).`,
  validate: `
Examples:
  groupops validate                     check every group file under groups/ and the config
  groupops validate --format json       { valid, issues } for scripts (file, line, column, message)

Exit status: 0 valid, 1 invalid (every problem listed as file:line:column: message).`,
  plan: `
Examples:
  groupops plan                                the pending changes, terraform style; sends nothing
  groupops plan --watch                        re-plan on every save of a group file or the config
  groupops plan --format json --out plan.json  every change, for scripts
  groupops plan --detailed-exitcode            exit 2 when there are changes

Exit status: 0 (with --detailed-exitcode: 0 no changes, 2 changes), 1 error.`,
  apply: `
Examples:
  RABBITPRE_TOKEN=… groupops apply             show the plan, ask for 'yes', send, write the snapshot
  groupops apply --auto-approve                send without asking (scripts; CI=true does the same)
  groupops apply --expect-plan <sha256>        apply only the plan that was reviewed
  groupops apply --allow-mass-delete           accept deletes beyond the safety limits

Environment: RABBITPRE_TOKEN (required), RABBITPRE_BASE_URL, CI.
Exit status: 0 applied or nothing to do, 1 error, cancelled, or rows not applied, 3 refused by a safety limit.`,
  adopt: `
Examples:
  groupops adopt                               record what the group files declare as applied; sends nothing
  groupops adopt --from platform-export.csv --ignore-column name
                                               write group files and the snapshot from a platform export
  groupops adopt --retarget --target production   record that the snapshot belongs to this target

Exit status: 0 adopted, 1 invalid input, 3 refused (a snapshot that records memberships, existing group files: --force).`,
  explain: `
Examples:
  groupops explain 13900000000                 every group the member with this value is in or will be in
  groupops explain "phone 13900000000"         a member key as plan prints it (also phone:13900000000)
  groupops explain '139****0000'               a masked value from a PR comment (every match)
  groupops explain oUpF8uMuAJO_M2pxb1Q9zNjWeS6o --format json

Exit status: 0 something matches, 1 nothing matches, or an error.`,
  sandbox: `
Examples:
  groupops sandbox                             the fake API on 127.0.0.1:8787 (prints the variables for apply)
  groupops sandbox --port 0 --latency 20       any free port, 20 ms per request
  groupops sandbox --fault-rate 0.1 --seed 7   one request in ten gets a fault, reproducibly

Exit status: 0 when stopped (Ctrl-C), 1 on a bad option or a taken port.`,
  'github plan': `
Examples (in a pull_request workflow):
  groupops github plan                         annotations, job summary and the sticky PR comment
  groupops github plan --no-comment            the job summary only

Environment: GITHUB_TOKEN and the standard Actions variables.
Exit status: 0 valid (whatever the plan), 1 invalid group files or an error.`,
  'github apply': `
Examples (in a push or workflow_dispatch workflow):
  groupops github apply --auto-approve         apply, commit the snapshot, comment on the merged PR
  groupops github apply --auto-approve --expect-plan <sha256>

Environment: RABBITPRE_TOKEN, GITHUB_TOKEN and the standard Actions variables.
Exit status: 0 applied or nothing to do, 1 failed (after committing what was acknowledged), 3 refused by a safety limit.`,
};

/** The path of a command below the program: `apply`, `github apply`. */
function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Adds the environment and exit statuses to the program's help, and examples to each command's. */
export function addHelpTexts(program: Command): void {
  program.addHelpText('after', `${ENVIRONMENT}\n${EXIT_STATUSES}\n${ROOT}`);
  const visit = (cmd: Command): void => {
    const text = COMMANDS[pathOf(cmd)];
    if (text !== undefined) cmd.addHelpText('after', text);
    cmd.commands.forEach(visit);
  };
  program.commands.forEach(visit);
}

/** The commands that have help texts (for the test that every command has one). */
export function commandsWithHelp(): string[] {
  return Object.keys(COMMANDS);
}
