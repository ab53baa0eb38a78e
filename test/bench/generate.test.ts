import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generateTenant } from '../../bench/generate.js';
import { generateMixedTenant } from '../../bench/generate-mixed.js';
import { renderTable } from '../../bench/table.js';
import { countMemberships } from '../../src/core/model.js';
import { buildPlan } from '../../src/core/plan.js';
import { loadGroups } from '../../src/load/load-groups.js';

// The bench's figures are only worth something if its tenants are what it says: valid, of the
// stated size, and with a request lower bound the plan must meet.
const root = mkdtempSync(join(tmpdir(), 'groupops-bench-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generateTenant', () => {
  it.each(['yaml', 'csv'] as const)('writes a valid %s tenant of the stated size whose plan meets the lower bound', async (variant) => {
    const t = generateTenant(join(root, variant), 12_000, variant);
    const loaded = await loadGroups('groups', t.dir);
    if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.file}:${i.line}: ${i.message}`).join('\n'));
    expect(countMemberships(loaded.value.state)).toBe(t.memberships);
    expect(t.memberships).toBeGreaterThanOrEqual(11_500);
    expect(loaded.value.state.size).toBe(t.groups);
    const plan = buildPlan(loaded.value.state, new Map());
    expect(plan.summary.add).toBe(t.memberships);
    expect(plan.batches.reduce((n, b) => n + b.items.length, 0)).toBe(t.items);
    expect(plan.summary.requests).toBe(Math.ceil(t.items / 500));
    // Persons are shared between groups, so items merge groups and are fewer than memberships.
    expect(t.items).toBeLessThan(t.memberships);
  });

  it('gives the same tenant in both formats', async () => {
    const yaml = await loadGroups('groups', join(root, 'yaml'));
    const csv = await loadGroups('groups', join(root, 'csv'));
    const names = (r: typeof yaml) => (r.ok ? [...r.value.state.values()].map((g) => `${g.group.name}:${g.members.size}`).sort() : []);
    expect(names(csv)).toEqual(names(yaml));
  });
});

describe('generateMixedTenant (the independent tenant)', () => {
  it.each(['yaml', 'csv'] as const)('writes a valid %s tenant of the stated size, with the documented forms, whose plan meets the lower bound', async (variant) => {
    const t = generateMixedTenant(join(root, `mixed-${variant}`), 60_000, variant);
    const loaded = await loadGroups('groups', t.dir);
    if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.file}:${i.line}: ${i.message}`).join('\n'));
    expect(countMemberships(loaded.value.state)).toBe(t.memberships);
    expect(loaded.value.state.size).toBe(t.groups);
    const plan = buildPlan(loaded.value.state, new Map());
    expect(plan.summary.add).toBe(t.memberships);
    expect(plan.summary.requests).toBe(t.requestBound);
    const yaml = t.yamlFiles.map((f) => readFileSync(f, 'utf8')).join('\n');
    // Every form a user writes, not only the ones the fast reader likes best.
    for (const form of ['category: department', 'kind: customer', 'description: >', '#']) expect(yaml).toContain(form);
    expect(yaml).toMatch(/(?:wxDeptId|thirdDeptId|deptId): /);
    if (variant === 'yaml') {
      for (const form of ['identities:', 'platform:', 'appid:', 'isWeChatEcosystem:']) expect(yaml).toContain(form);
      expect(yaml).toMatch(/- \{ ?\w+:/);
    } else {
      expect(t.csvFiles.length).toBeGreaterThan(0);
      expect(yaml).toContain('memberFiles:');
    }
  });
});

describe('renderTable', () => {
  it('lines up a Markdown table with a dash for missing figures', () => {
    expect(
      renderTable([
        { tier: '10k', step: 'plan', wallMs: 1234, peakRss: 100 * 2 ** 20, requests: '13 / 13', note: 'x' },
        { tier: '10k', step: 'diff' },
      ]),
    ).toBe(
      [
        '| tier | step | wall   | peak RSS | requests (sent / lower bound) | notes |',
        '|------|------|--------|----------|-------------------------------|-------|',
        '| 10k  | plan | 1.23 s | 100 MiB  | 13 / 13                       | x     |',
        '| 10k  | diff | —      | —        | —                             |       |',
      ].join('\n'),
    );
  });
});
