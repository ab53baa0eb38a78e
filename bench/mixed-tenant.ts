import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectOk, runCli, runNode, type ChildRun } from './child.js';
import { generateMixedTenant, type MixedTenant } from './generate-mixed.js';
import { mib, seconds, type Row } from './table.js';
import { measureWatch } from './watch-step.js';

// The independent tenant (generate-mixed.ts) against its floors, each measured in the same run,
// interleaved with what it is compared to (floor, plan, floor, plan...), medians compared.

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
/** Each compared figure is the median of this many runs, taken in turns with its floor. */
const RUNS = 3;
/** At most this time for the largest tier over (its size / the base tier's) × the base tier's time: "time grows linearly", noise allowed for. */
const LINEAR_SLACK = 1.15;

interface Floors {
  readonly readMs: number;
  readonly jsYamlMs: number;
  readonly csvParseMs: number;
}

/** What `plan --verbose` said of one run. */
interface PlanRun {
  readonly run: ChildRun;
  readonly requests: number;
  readonly loadMs: number;
  readonly planMs: number;
  readonly renderMs: number;
  readonly fullParsed: number;
  readonly files: number;
  /** Group files taken as unchanged since the last apply (their source matched), not parsed. */
  readonly unchanged: number;
}

export interface MixedResult {
  readonly rows: Row[];
  readonly checks: string[];
}

/**
 * Benches the independent tenant at `tiers` (memberships, ascending): the first in full (floors,
 * cold and warm plans, the JSON plan's rendering, plan --watch with every change pending, the CSV
 * variant), the last (when there are two or more) for the growth of time and the peak RSS.
 */
export async function benchMixed(root: string, tiers: readonly number[], label: (n: number) => string, progress: (tier: string, what: string) => void): Promise<MixedResult> {
  const rows: Row[] = [];
  const checks: string[] = [];
  const check = (ok: boolean, text: string) => checks.push(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
  const scratch = mkdtempSync(join(tmpdir(), 'groupops-bench-mixed-'));
  try {
    const base = tiers[0]!;
    const tier = label(base);
    const say = (what: string) => progress(tier, what);

    say('generating the independent tenant (YAML)');
    const t = generateMixedTenant(join(root, `mixed-yaml-${base}`), base, 'yaml');
    const info = `${t.memberships} memberships, ${t.groups} groups, ${mib(t.bytes)} YAML`;
    say('floors and cold plans, in turns');
    const { floors, plans } = await inTurns(t, scratch, ['plan', '--format', 'json', '--out', join(scratch, 'plan.json'), '--verbose']);
    const floor = median(floors.map((f) => f.jsYamlMs));
    const cold = medianRun(plans);
    rows.push({ tier, step: 'read the bytes of every file (floor)', wallMs: median(floors.map((f) => f.readMs)), note: info });
    rows.push({ tier, step: 'js-yaml loads every YAML file (floor)', wallMs: floor, note: `median of ${floors.map((f) => seconds(f.jsYamlMs)).join(', ')}` });
    rows.push({
      tier,
      step: 'plan --format json --out, empty snapshot (median)',
      wallMs: cold.run.wallMs,
      peakRss: Math.max(...plans.map((p) => p.run.peakRss)),
      requests: `${cold.requests} / ${t.requestBound}`,
      note: `${(cold.run.wallMs / floor).toFixed(2)} × js-yaml; runs ${plans.map((p) => seconds(p.run.wallMs)).join(', ')}; files read ${seconds(cold.loadMs)}, planned ${seconds(cold.planMs)}, JSON rendered and written ${seconds(cold.renderMs)}; ${cold.fullParsed} of ${cold.files} files read by the full YAML parser`,
    });
    const render = median(plans.map((p) => p.renderMs));
    rows.push({
      tier,
      step: `JSON plan of ${label(t.memberships)} changes: render and write (median)`,
      wallMs: render,
      note: `runs ${plans.map((p) => seconds(p.renderMs)).join(', ')} (to a file, one line)`,
    });

    say('plan --watch re-plans with every change pending');
    const watch = await measureWatch(t.dir, t.smallFile, 3);
    const worst = Math.max(...watch.replanMs);
    rows.push({
      tier,
      step: `plan --watch: re-plan after a one-member edit, ${label(t.memberships)} changes pending`,
      wallMs: worst,
      note: `worst of ${watch.replanMs.join(', ')} ms; first plan ${seconds(watch.firstMs)}`,
    });

    say('adopt, then warm plans');
    expectOk(await runCli(['adopt'], t.dir), 'adopt');
    const warmRuns: PlanRun[] = [];
    for (let i = 0; i < RUNS; i++) warmRuns.push(planRun(expectOk(await runCli(['plan', '--format', 'json', '--out', join(scratch, 'warm.json'), '--verbose'], t.dir), 'plan (adopted)')));
    const warm = medianRun(warmRuns);
    rows.push({
      tier,
      step: 'plan --format json --out, applied snapshot, no changes (median)',
      wallMs: warm.run.wallMs,
      peakRss: Math.max(...warmRuns.map((p) => p.run.peakRss)),
      requests: `${warm.requests} / 0`,
      note: `${(warm.run.wallMs / cold.run.wallMs).toFixed(2)} × the cold plan; runs ${warmRuns.map((p) => seconds(p.run.wallMs)).join(', ')}; ${warm.unchanged} of ${warm.files} files unchanged since the adopt, not parsed`,
    });
    // A pull request's plan: one file edited, every other one as applied.
    const original = readFileSync(t.smallFile, 'utf8');
    writeFileSync(t.smallFile, `${original}  - phone: "19999999999"\n`);
    const edited = planRun(expectOk(await runCli(['plan', '--format', 'json', '--out', join(scratch, 'edited.json'), '--verbose'], t.dir), 'plan (one file edited)'));
    writeFileSync(t.smallFile, original);
    rows.push({
      tier,
      step: 'plan --format json --out, applied snapshot, one file edited',
      wallMs: edited.run.wallMs,
      peakRss: edited.run.peakRss,
      requests: `${edited.requests} / 1`,
      note: `${(edited.run.wallMs / cold.run.wallMs).toFixed(2)} × the cold plan; ${edited.unchanged} of ${edited.files} files unchanged, not parsed`,
    });
    rmSync(t.dir, { recursive: true, force: true });

    say('the CSV variant: floors and plans, in turns');
    const c = generateMixedTenant(join(root, `mixed-csv-${base}`), base, 'csv');
    const csv = await inTurns(c, scratch, ['plan', '--format', 'json', '--out', join(scratch, 'csv-plan.json'), '--verbose']);
    const csvFloor = median(csv.floors.map((f) => f.csvParseMs));
    const csvPlan = medianRun(csv.plans);
    rows.push({
      tier,
      step: 'csv-parse parses every CSV list (floor)',
      wallMs: csvFloor,
      note: `${c.memberships} memberships in ${c.csvFiles.length} lists, ${mib(c.bytes)} CSV + YAML; median of ${csv.floors.map((f) => seconds(f.csvParseMs)).join(', ')}; js-yaml of the group files ${seconds(median(csv.floors.map((f) => f.jsYamlMs)))}`,
    });
    rows.push({
      tier,
      step: 'CSV lists, rows in random order: plan --format json --out (median)',
      wallMs: csvPlan.run.wallMs,
      peakRss: Math.max(...csv.plans.map((p) => p.run.peakRss)),
      requests: `${csvPlan.requests} / ${c.requestBound}`,
      note: `${(csvPlan.run.wallMs / csvFloor).toFixed(2)} × csv-parse; runs ${csv.plans.map((p) => seconds(p.run.wallMs)).join(', ')}; files read ${seconds(csvPlan.loadMs)}, planned ${seconds(csvPlan.planMs)}, JSON ${seconds(csvPlan.renderMs)}`,
    });
    rmSync(c.dir, { recursive: true, force: true });

    check(
      cold.run.wallMs <= floor,
      `independent tenant ${tier}: cold plan --format json --out ${seconds(cold.run.wallMs)} ≤ 1.0 × js-yaml ${seconds(floor)} (${(cold.run.wallMs / floor).toFixed(2)})`,
    );
    check(
      csvPlan.run.wallMs <= 1.5 * csvFloor,
      `independent tenant ${tier}: CSV plan ${seconds(csvPlan.run.wallMs)} ≤ 1.5 × csv-parse ${seconds(csvFloor)} (${(csvPlan.run.wallMs / csvFloor).toFixed(2)})`,
    );
    check(render <= 1000, `independent tenant ${tier}: JSON plan of ${t.memberships} changes rendered and written in ${seconds(render)} ≤ 1 s`);
    check(
      warm.run.wallMs <= 0.5 * cold.run.wallMs,
      `independent tenant ${tier}: warm plan ${seconds(warm.run.wallMs)} ≤ 0.5 × cold plan ${seconds(cold.run.wallMs)} (${(warm.run.wallMs / cold.run.wallMs).toFixed(2)})`,
    );
    check(worst <= 300, `independent tenant ${tier}: watch re-plan ${worst} ms ≤ 300 ms with ${t.memberships} changes pending`);
    check(cold.fullParsed === 0 && csvPlan.fullParsed === 0, `independent tenant ${tier}: every file on the fast path (${cold.fullParsed} + ${csvPlan.fullParsed} read by the full YAML parser)`);
    check(
      cold.requests === t.requestBound && csvPlan.requests === c.requestBound,
      `independent tenant ${tier}: requests = lower bound (plan ${cold.requests} / ${t.requestBound}, CSV plan ${csvPlan.requests} / ${c.requestBound})`,
    );

    if (tiers.length > 1) {
      const top = tiers[tiers.length - 1]!;
      const topTier = label(top);
      progress(topTier, 'generating the independent tenant (YAML)');
      const big = generateMixedTenant(join(root, `mixed-yaml-${top}`), top, 'yaml');
      progress(topTier, 'cold plan');
      const bigPlan = planRun(expectOk(await runCli(['plan', '--format', 'json', '--out', join(scratch, 'big.json'), '--verbose'], big.dir), 'plan (largest tier)'));
      rmSync(join(scratch, 'big.json'), { force: true });
      const ratio = bigPlan.run.wallMs / ((top / base) * cold.run.wallMs);
      rows.push({
        tier: topTier,
        step: 'plan --format json --out, empty snapshot',
        wallMs: bigPlan.run.wallMs,
        peakRss: bigPlan.run.peakRss,
        requests: `${bigPlan.requests} / ${big.requestBound}`,
        note: `${big.memberships} memberships, ${big.groups} groups, ${mib(big.bytes)} YAML; time(${topTier}) / (${top / base} × time(${tier})) = ${ratio.toFixed(2)}; files read ${seconds(bigPlan.loadMs)}, planned ${seconds(bigPlan.planMs)}, JSON ${seconds(bigPlan.renderMs)}`,
      });
      rmSync(big.dir, { recursive: true, force: true });
      check(bigPlan.run.peakRss <= 2 * 1024 ** 3, `independent tenant ${topTier}: peak RSS ${mib(bigPlan.run.peakRss)} ≤ 2048 MiB`);
      check(ratio <= LINEAR_SLACK, `independent tenant: time grows linearly, time(${topTier}) / (${top / base} × time(${tier})) = ${ratio.toFixed(2)} ≤ ${LINEAR_SLACK}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { rows, checks };
}

/** RUNS floors and RUNS runs of the command, in turns. */
async function inTurns(t: MixedTenant, scratch: string, args: readonly string[]): Promise<{ floors: Floors[]; plans: PlanRun[] }> {
  const lists = join(scratch, 'files.json');
  writeFileSync(lists, JSON.stringify({ yamlFiles: t.yamlFiles, csvFiles: t.csvFiles }));
  const floors: Floors[] = [];
  const plans: PlanRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    floors.push(JSON.parse(expectOk(await runNode(here('./floor-mixed.js'), [lists], t.dir), 'floors').stdout) as Floors);
    plans.push(planRun(expectOk(await runCli(args, t.dir), `groupops ${args.join(' ')}`)));
  }
  return { floors, plans };
}

/** The figures `plan --verbose --out` reports on stderr. */
function planRun(run: ChildRun): PlanRun {
  const ms = (re: RegExp) => Number(re.exec(run.stderr)?.[1] ?? NaN);
  return {
    run,
    requests: Number(/in (\d+) requests?\./.exec(run.stderr)?.[1] ?? NaN),
    loadMs: ms(/read and checked in (\d+) ms/),
    planMs: ms(/^verbose: planned \d+ changes in \d+ requests in (\d+) ms/m),
    renderMs: ms(/plan rendered and written in (\d+) ms/),
    fullParsed: ms(/; (\d+) read by the full YAML parser/),
    files: ms(/group files \((\d+)\)/),
    unchanged: Number(/(\d+) unchanged since the last apply/.exec(run.stderr)?.[1] ?? 0),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function medianRun(runs: readonly PlanRun[]): PlanRun {
  return [...runs].sort((a, b) => a.run.wallMs - b.run.wallMs)[Math.floor(runs.length / 2)]!;
}
