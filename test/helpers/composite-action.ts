import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import { parse } from 'yaml';

/**
 * Runs a composite action's steps as the GitHub runner does, as far as this machine allows: inputs
 * get their defaults, every `${{ … }}` is evaluated with GitHub's own expression library
 * (@actions/expressions) against the inputs, github, env, runner and steps contexts, `if:` decides
 * whether a step runs (success() / failure() / cancelled() / always()), and each `run:` step runs
 * in `bash --noprofile --norc -eo pipefail` with a fresh GITHUB_OUTPUT file whose outputs feed the
 * `steps` context and, at the end, the action's own outputs. `uses:` steps (actions/setup-node,
 * actions/upload-artifact) cannot run here: they are reported with their evaluated `with:`, so a
 * test can still check what they would have been given.
 */

interface ActionFile {
  inputs?: Record<string, { required?: boolean; default?: string }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

interface ActionStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

/** What the job around the action provides. */
export interface RunnerJob {
  /** GITHUB_WORKSPACE: the checked-out repository. */
  readonly workspace: string;
  /** GITHUB_ACTION_PATH: the action's own checkout. */
  readonly actionPath: string;
  /** The step's `with:`. */
  readonly inputs: Readonly<Record<string, string>>;
  /** The job's environment: the Actions variables and the step's `env:` (GITHUB_OUTPUT and the like are set per step). */
  readonly env: Readonly<Record<string, string>>;
  /** The github context beyond what the environment gives (token, run_id, run_attempt, …). */
  readonly github: Readonly<Record<string, unknown>>;
  /** A run step still going after this long is killed (default 120 s). */
  readonly timeoutMs?: number;
}

/** One step as it ran, or why it did not. */
export interface StepRun {
  readonly name: string;
  readonly id?: string;
  /** `if`: its condition was false; `uses`: an action step, which cannot run here. */
  readonly skipped?: 'if' | 'uses';
  readonly uses?: string;
  /** The evaluated `with:` of a `uses:` step whose condition held. */
  readonly with?: Readonly<Record<string, string>>;
  readonly code?: number;
  /** The evaluated `env:` of a `run:` step: what the runner would have given its process on top of the job's. */
  readonly env?: Readonly<Record<string, string>>;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Readonly<Record<string, string>>;
}

export interface ActionRun {
  readonly steps: readonly StepRun[];
  /** The action's outputs, evaluated from `outputs.*.value`. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Whether a step failed (the step of the workflow would fail). */
  readonly failed: boolean;
}

const CONTEXTS = ['inputs', 'github', 'env', 'runner', 'steps', 'job', 'strategy', 'matrix'];
const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'];

/** Runs the composite action at `actionYml` in `job`. */
export async function runCompositeAction(actionYml: string, job: RunnerJob): Promise<ActionRun> {
  const action = parse(await readFile(actionYml, 'utf8')) as ActionFile;
  if (action.runs.using !== 'composite') throw new Error(`${actionYml} is not a composite action (runs.using: ${action.runs.using})`);
  const temp = await mkdtemp(join(tmpdir(), 'groupops-runner-'));
  try {
    const github = { ...job.github, workspace: job.workspace, action_path: job.actionPath };
    const steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
    const base = { github, env: job.env, runner: { temp, os: 'Linux' }, steps, job: {}, strategy: {}, matrix: {} };
    const inputs: Record<string, string> = {};
    for (const [name, spec] of Object.entries(action.inputs ?? {})) {
      const given = job.inputs[name];
      if (given === undefined && spec.required) throw new Error(`the action's required input "${name}" is not given`);
      inputs[name] = given ?? template(spec.default ?? '', { ...base, inputs: {} });
    }
    for (const name of Object.keys(job.inputs)) if (!(name in inputs)) throw new Error(`the action has no input "${name}"`);
    const context = { ...base, inputs };

    let failed = false;
    const runs: StepRun[] = [];
    for (const [index, step] of action.runs.steps.entries()) {
      const status = { failed };
      const name = template(step.name ?? step.uses ?? step.run ?? `step ${index}`, context, status);
      const go = condition(step.if ?? 'success()', context, status);
      const skippedBase = { name, ...(step.id ? { id: step.id } : {}), stdout: '', stderr: '', outputs: {} };
      if (!go) {
        runs.push({ ...skippedBase, skipped: 'if', ...(step.uses ? { uses: step.uses } : {}) });
        continue;
      }
      if (step.uses) {
        const withs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, template(String(v), context, status)]));
        runs.push({ ...skippedBase, skipped: 'uses', uses: step.uses, with: withs });
        continue;
      }
      const result = await runStep(step, index, context, status, job, temp);
      if (step.id) steps[step.id] = { outputs: result.outputs, outcome: result.code === 0 ? 'success' : 'failure', conclusion: result.code === 0 ? 'success' : 'failure' };
      if (result.code !== 0) failed = true;
      runs.push({ ...skippedBase, ...result });
    }
    const outputs = Object.fromEntries(Object.entries(action.outputs ?? {}).map(([k, v]) => [k, template(v.value, context, { failed })]));
    return { steps: runs, outputs, failed };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function runStep(
  step: ActionStep,
  index: number,
  context: Record<string, unknown>,
  status: { failed: boolean },
  job: RunnerJob,
  temp: string,
): Promise<{ code: number; env: Record<string, string>; stdout: string; stderr: string; outputs: Record<string, string> }> {
  if (step.shell !== 'bash') throw new Error(`step ${index}: only shell: bash is simulated (got ${step.shell})`);
  const script = join(temp, `step-${index}.sh`);
  const output = join(temp, `step-${index}.output`);
  await writeFile(script, template(step.run ?? '', context, status));
  await writeFile(output, '');
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, template(String(v), context, status)]));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...job.env,
    GITHUB_WORKSPACE: job.workspace,
    GITHUB_ACTION_PATH: job.actionPath,
    GITHUB_OUTPUT: output,
    RUNNER_TEMP: temp,
    ...stepEnv,
  };
  const cwd = resolve(job.workspace, template(step['working-directory'] ?? '.', context, status));
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), job.timeoutMs ?? 120_000);
    child.once('error', fail);
    child.once('close', (c, signal) => {
      clearTimeout(timer);
      done({ code: c ?? (signal ? 128 : 1), stdout: out, stderr: err });
    });
  });
  return { code, env: stepEnv, stdout, stderr, outputs: parseOutputFile(await readFile(output, 'utf8')) };
}

/** Parses a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: no closing delimiter for ${heredoc[1]}`);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`GITHUB_OUTPUT: not an output line: ${line}`);
    outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}

/** Replaces every `${{ expression }}` in `text` with its value as a string. */
function template(text: string, context: Record<string, unknown>, status: { failed: boolean } = { failed: false }): string {
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_, expr: string) => evaluate(expr, context, status).coerceString());
}

/** An `if:`, with or without `${{ }}`; without a status function it means `success() && (…)`, as on GitHub. */
function condition(text: string, context: Record<string, unknown>, status: { failed: boolean }): boolean {
  const expr = text.trim().replace(/^\$\{\{(.*)\}\}$/s, '$1');
  const usesStatus = new RegExp(`\\b(${STATUS_FUNCTIONS.join('|')})\\s*\\(`).test(expr);
  return truthy(evaluate(usesStatus ? expr : `success() && (${expr})`, context, status));
}

function evaluate(expr: string, context: Record<string, unknown>, status: { failed: boolean }): data.ExpressionData {
  const lexed = new Lexer(expr.trim()).lex();
  const functions = STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
  const tree = new Parser(lexed.tokens, CONTEXTS, functions).parse();
  const value: Record<string, boolean> = { success: !status.failed, failure: status.failed, cancelled: false, always: true };
  const implementations = new Map(functions.map((f) => [f.name, { ...f, call: () => new data.BooleanData(value[f.name]!) }]));
  return new Evaluator(tree, JSON.parse(JSON.stringify(context), data.reviver) as data.Dictionary, implementations).evaluate();
}
