import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMain } from '../../helpers/cli.js';

// Issue 14: a slow plan can be explained. `--verbose` (or GROUPOPS_VERBOSE) says which group files
// the fast reader left to the full YAML parser and why; every documented form (integer deptId,
// block scalars in description) stays on the fast path.

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'groupops-verbose-'));
  await mkdir(join(dir, 'groups'));
  await writeFile(
    join(dir, 'groups', 'documented.yaml'),
    ['name: Sales', 'category: department', 'department:', '  deptId: 1001', 'description: >', '  folded text', '  on two lines', 'members:', '  - phone: "13800000001"', ''].join('\n'),
  );
  await writeFile(join(dir, 'groups', 'notes.yaml'), ['name: Notes', 'description: |', '  kept', '  as written', 'members:', '  - unionid: oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', ''].join('\n'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('plan --verbose', () => {
  it('reads integer deptId and block scalars on the fast path, and says that no file went to the full parser', async () => {
    const run = await runMain(['plan', '--verbose'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^verbose: group files \(2\) read and checked in \d+ ms; 0 read by the full YAML parser, the others by the fast reader$/m);
    expect(run.stderr).not.toContain('read by the full YAML parser (');
    // Never an identity value in what it says.
    expect(run.stderr).not.toContain('13800000001');
  });

  it('names a file the full parser read, the line and the reason, and counts it', async () => {
    await writeFile(join(dir, 'groups', 'anchored.yaml'), ['name: Anchored', 'members:', '  - &first phone: "13800000002"', '  - phone: "13800000003"', ''].join('\n'));
    const run = await runMain(['plan', '--verbose'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^verbose: groups\/anchored\.yaml: read by the full YAML parser \(\d+ ms\): line 3 has .+, which the fast reader leaves to it$/m);
    expect(run.stderr).toMatch(/; 1 read by the full YAML parser, the others by the fast reader$/m);
  });

  it('says the same with GROUPOPS_VERBOSE=1 (a workflow step), and nothing without it', async () => {
    const on = await runMain(['plan'], { cwd: dir, env: { GROUPOPS_VERBOSE: '1' } });
    expect(on.stderr).toContain('verbose: group files (2) read and checked in');
    const off = await runMain(['plan'], { cwd: dir, env: { GROUPOPS_VERBOSE: '0' } });
    expect(off.stderr).not.toContain('verbose:');
    expect(off.stdout).toBe(on.stdout);
  });
});
