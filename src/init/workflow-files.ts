/**
 * The two workflows of a groups repository, as `groupops init` writes them and as this repository
 * ships them (with `uses: ./`; a test keeps the two the same). Both run the groupops Action; the
 * action versions here are majors that run on the node24 runtime.
 */

/** What varies between repositories. */
export interface WorkflowOptions {
  /** The `uses:` of the groupops Action: `owner/groupops@v1.2.3`, or `./` in groupops itself. */
  readonly action: string;
  /** The default branch, where merges are applied. */
  readonly branch: string;
  /** More paths whose changes start a plan (groupops itself plans when the Action's code changes). */
  readonly extraPlanPaths?: readonly string[];
}

/** `.github/workflows/groups-plan.yml`: the plan of a pull request, with no secret. */
export function planWorkflow(options: WorkflowOptions): string {
  const paths = ['groups/**', '.groupops/**', ...(options.extraPlanPaths ?? [])].map((p) => `      - '${p}'\n`).join('');
  return `# Plans a PR's group changes with the groupops Action: validation errors become annotations on the
# changed lines, the plan goes to the job summary and to one sticky PR comment (updated on every push).
#
# Safe for fork PRs: it runs on \`pull_request\` (never \`pull_request_target\`), so the PR's code runs
# with a read-only token and no secrets. A plan reads only the repository: no Rabbitpre secret here.
name: groups-plan

on:
  pull_request:
    paths:
${paths}
permissions:
  contents: read
  pull-requests: write

# One plan per PR at a time: a newer push replaces an older plan, and two runs never race to create
# the sticky comment.
concurrency:
  group: groups-plan-\${{ github.event.pull_request.number }}
  cancel-in-progress: true

jobs:
  plan:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v6
        with:
          persist-credentials: false
      - name: Validate and plan
        uses: ${options.action}
        with:
          command: plan
`;
}

/** `.github/workflows/groups-apply.yml`: the apply on merge, the only job that sees the Rabbitpre secret. */
export function applyWorkflow(options: WorkflowOptions): string {
  return `# Applies the group files of the default branch to the Rabbitpre tenant with the groupops Action,
# commits the new snapshot with the batch IDs through the GitHub API, and comments the result on
# the merged PR.
name: groups-apply

on:
  push:
    branches: [${options.branch}]
    # Only group changes start an apply. The snapshot commit this workflow makes touches only
    # .groupops/, so it never starts another apply (and GITHUB_TOKEN pushes start no workflow at all).
    paths:
      - 'groups/**'
  workflow_dispatch:
    inputs:
      allow-mass-delete:
        description: Apply even when the deletes exceed the safety limit (review the plan first)
        type: boolean
        default: false
      expect-plan:
        description: Apply only if the plan has this checksum (the one in the PR comment)
        type: string
        default: ''

permissions:
  contents: write
  pull-requests: write

# One apply at a time, never cancelled: a running apply always finishes and commits what the API
# acknowledged. A newer run waits; it checks out the branch head, so it starts from the snapshot
# the run before it committed.
concurrency:
  group: groupops-apply-\${{ github.repository }}
  cancel-in-progress: false

jobs:
  apply:
    if: github.ref_name == github.event.repository.default_branch
    runs-on: ubuntu-latest
    timeout-minutes: 60
    steps:
      - uses: actions/checkout@v6
        with:
          # The branch head when the job starts, not the pushed commit: it includes the snapshot
          # of any apply that ran while this one was queued.
          ref: \${{ github.ref }}
          persist-credentials: false
      # The Action runs groupops with exec and node directly, so a cancelled job's SIGINT reaches
      # it: it stops sending, lets the requests in flight finish, and still commits what was
      # acknowledged. The state files of a failed or cancelled apply are kept as an artifact.
      - name: Apply, commit the snapshot, comment on the merged PR
        uses: ${options.action}
        with:
          command: apply
          rabbitpre-token: \${{ secrets.RABBITPRE_TOKEN }}
          allow-mass-delete: \${{ inputs.allow-mass-delete }}
          expect-plan: \${{ inputs.expect-plan }}
`;
}
