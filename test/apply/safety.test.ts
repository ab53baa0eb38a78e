import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.js';
import { checkSafety, evaluateDeletes, safetyVerdict, type SafetyInput, type SafetyLimits } from '../../src/core/safety.js';
import { renderSafetyVerdict } from '../../src/core/render/safety-verdict.js';

const DEFAULTS: SafetyLimits = { maxDeletePercent: 25, maxDeleteCount: 20, maxDeleteTotal: 5000, allowMassDelete: false };
const CHECKSUM = 'a'.repeat(64);

function input(deletes: number, applied: number, more: Partial<SafetyInput> = {}): SafetyInput {
  const plan: Plan = { changes: [], batches: [], summary: { add: 0, delete: deletes, requests: deletes > 0 ? 1 : 0 }, checksum: CHECKSUM };
  return { plan, appliedMemberships: applied, desired: { dir: 'groups', folderExists: true, memberships: applied - deletes }, ...more };
}

describe('checkSafety: mass deletes', () => {
  it('allows deletes up to both default limits and refuses only when both are exceeded', () => {
    expect(checkSafety(input(21, 84), DEFAULTS)).toBeUndefined(); // 25% exactly: not more than 25%
    expect(checkSafety(input(20, 40), DEFAULTS)).toBeUndefined(); // 50% but only 20
    expect(checkSafety(input(21, 1000), DEFAULTS)).toBeUndefined(); // 21 but 2.1%
    const refusal = checkSafety(input(22, 84), DEFAULTS);
    expect(refusal?.kind).toBe('mass-delete');
    expect(refusal?.reason).toContain('deletes 22 of 84 applied memberships (26.2%)');
    expect(refusal?.override).toContain('--allow-mass-delete');
    expect(refusal?.override).toContain('--max-deletes 22');
  });

  it('uses the configured limits', () => {
    const limits = { ...DEFAULTS, maxDeletePercent: 10, maxDeleteCount: 5 };
    expect(checkSafety(input(6, 50), limits)?.kind).toBe('mass-delete');
    expect(checkSafety(input(5, 50), limits)).toBeUndefined();
  });

  it('lets --max-deletes replace both limits', () => {
    expect(checkSafety(input(30, 40), { ...DEFAULTS, maxDeletes: 30 })).toBeUndefined();
    const refusal = checkSafety(input(3, 1000), { ...DEFAULTS, maxDeletes: 2 });
    expect(refusal?.kind).toBe('mass-delete');
    expect(refusal?.reason).toContain('more than --max-deletes 2');
  });

  it('lets --allow-mass-delete through', () => {
    expect(checkSafety(input(900, 1000), { ...DEFAULTS, allowMassDelete: true })).toBeUndefined();
  });
});

describe('checkSafety: the absolute delete cap', () => {
  it('refuses 12000 deletes of a 50000-membership tenant (24%: within the share limit), naming the cap, its numbers and the overrides', () => {
    const refusal = checkSafety(input(12_000, 50_000), DEFAULTS);
    expect(refusal?.kind).toBe('mass-delete');
    expect(refusal?.reason).toBe('refusing to apply: the plan deletes 12000 of 50000 applied memberships (24%), more than 5000 in total (the absolute cap: config safety.maxDeleteTotal).');
    expect(refusal?.override).toBe('If these deletes are intended, run again with --allow-mass-delete (or --max-deletes 12000), or raise safety.maxDeleteTotal in the config.');
    expect(refusal?.deletes).toEqual({ deletes: 12_000, applied: 50_000, sharePercent: 24, broken: [{ rule: 'total', maxDeleteTotal: 5000 }], allowed: false });
  });

  it('allows deletes up to the cap exactly, and the share rule alone when no cap is set', () => {
    expect(checkSafety(input(5000, 50_000), DEFAULTS)).toBeUndefined();
    expect(checkSafety(input(12_000, 50_000), { ...DEFAULTS, maxDeleteTotal: undefined })).toBeUndefined();
    expect(checkSafety(input(1, 50_000), { ...DEFAULTS, maxDeleteTotal: 0 })?.deletes?.broken).toEqual([{ rule: 'total', maxDeleteTotal: 0 }]);
  });

  it('names the share rule when it fires, and both rules when both do', () => {
    const share = checkSafety(input(22, 84), DEFAULTS);
    expect(share?.reason).toContain('more than 25% of them and more than 20 (the share limit: config safety.maxDeletePercent and safety.maxDeleteCount)');
    expect(share?.deletes?.broken).toEqual([{ rule: 'share', maxDeletePercent: 25, maxDeleteCount: 20 }]);
    const both = checkSafety(input(9000, 10_000), DEFAULTS);
    expect(both?.deletes?.broken.map((r) => r.rule)).toEqual(['share', 'total']);
    expect(both?.reason).toMatch(/\(90%\), more than 25% of them and more than 20 \(the share limit[^)]*\); and more than 5000 in total \(the absolute cap/);
    expect(both?.override).toContain('raise safety.maxDeletePercent / safety.maxDeleteCount and safety.maxDeleteTotal in the config');
  });

  it('lets --max-deletes replace the cap too, and --allow-mass-delete accept it', () => {
    expect(checkSafety(input(12_000, 50_000), { ...DEFAULTS, maxDeletes: 12_000 })).toBeUndefined();
    expect(checkSafety(input(12_000, 50_000), { ...DEFAULTS, allowMassDelete: true })).toBeUndefined();
    const flag = checkSafety(input(12_001, 50_000), { ...DEFAULTS, maxDeletes: 12_000 });
    expect(flag?.deletes?.broken).toEqual([{ rule: 'max-deletes', maxDeletes: 12_000 }]);
    expect(flag?.override).not.toContain('config');
  });

  it('is what the PR comment says the apply on merge would refuse, naming the cap', () => {
    // Markdown escapes punctuation as character references; a reader of the rendered comment sees the characters.
    const text = renderSafetyVerdict(safetyVerdict(input(12_000, 50_000), DEFAULTS))
      .join('\n')
      .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    expect(text).toContain('would be refused by a safety limit**: the plan deletes 12000 of 50000 applied memberships (24%), more than 5000 in total (the absolute cap: config safety.maxDeleteTotal)');
  });

  it('evaluateDeletes says where a plan stands even when it passes or is overridden', () => {
    expect(evaluateDeletes(3, 100, DEFAULTS)).toEqual({ deletes: 3, applied: 100, sharePercent: 3, broken: [], allowed: false });
    expect(evaluateDeletes(6000, 6000, { ...DEFAULTS, allowMassDelete: true })).toMatchObject({ sharePercent: 100, allowed: true, broken: [{ rule: 'share' }, { rule: 'total' }] });
    expect(evaluateDeletes(0, 0, DEFAULTS).sharePercent).toBe(0);
  });
});

describe('checkSafety: missing or empty groups', () => {
  it('refuses a missing groups folder while the snapshot holds memberships, even with --allow-mass-delete', () => {
    const missing = input(3, 3, { desired: { dir: 'grups', folderExists: false, memberships: 0 } });
    for (const allowMassDelete of [false, true]) {
      const refusal = checkSafety(missing, { ...DEFAULTS, allowMassDelete });
      expect(refusal?.kind).toBe('missing-groups');
      expect(refusal?.reason).toContain('"grups" does not exist');
      expect(refusal?.override).toContain('--groups');
    }
  });

  it('refuses an empty groups folder unless --allow-mass-delete', () => {
    const empty = input(3, 3, { desired: { dir: 'groups', folderExists: true, memberships: 0 } });
    expect(checkSafety(empty, DEFAULTS)?.kind).toBe('empty-groups');
    expect(checkSafety(empty, { ...DEFAULTS, allowMassDelete: true })).toBeUndefined();
  });

  it('has nothing to refuse when nothing was applied yet', () => {
    expect(checkSafety(input(0, 0, { desired: { dir: 'groups', folderExists: false, memberships: 0 } }), DEFAULTS)).toBeUndefined();
  });
});

describe('checkSafety: --expect-plan', () => {
  it('accepts the plan checksum in any case and refuses any other', () => {
    expect(checkSafety(input(0, 10, { expectPlan: CHECKSUM.toUpperCase() }), DEFAULTS)).toBeUndefined();
    const refusal = checkSafety(input(0, 10, { expectPlan: 'b'.repeat(64) }), DEFAULTS);
    expect(refusal?.kind).toBe('plan-mismatch');
    expect(refusal?.reason).toContain(CHECKSUM);
    expect(refusal?.override).toContain('groupops plan');
  });
});
