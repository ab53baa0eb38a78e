import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { BenchSandbox } from './apply-step.js';
import { measureApply } from './apply-step.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=groupops bench', '-c', 'user.email=bench@localhost', ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });

/** Lines of the snapshot's git diff after one-member changes. */
export interface GitDiffFigures {
  /** After the first one-member change following the bulk apply (its request list is replaced too). */
  readonly afterBulk: number;
  /** After a second one-member change (the steady state of day-to-day edits). */
  readonly steady: number;
  /** Requests each one-member apply sent (lower bound 2: one delete, one add). */
  readonly requests: readonly number[];
}

/**
 * Commits the snapshot in a fresh git repository, then twice changes one member's phone in `file`,
 * applies, and counts the changed lines (added + removed) of the snapshot's diff.
 */
export async function measureGitDiff(sandbox: BenchSandbox, cwd: string, file: string, statePath: string): Promise<GitDiffFigures> {
  git(cwd, 'init', '-q');
  git(cwd, 'add', statePath);
  git(cwd, 'commit', '-qm', 'bulk apply');
  const counts: number[] = [];
  const requests: number[] = [];
  for (let i = 0; i < 2; i++) {
    const text = readFileSync(file, 'utf8');
    const m = /- phone: "(\d+)"/.exec(text);
    if (!m) throw new Error(`no phone member to change in ${file}`);
    writeFileSync(file, text.replace(m[0], `- phone: "177${String(i).padStart(8, '0')}"`));
    const applied = await measureApply(sandbox, cwd, 4);
    requests.push(applied.requests);
    const numstat = git(cwd, 'diff', '--numstat', '--', statePath).trim();
    const [added, removed] = numstat.split(/\s+/).map(Number);
    counts.push((added ?? 0) + (removed ?? 0));
    git(cwd, 'add', statePath);
    git(cwd, 'commit', '-qm', `one-member change ${i + 1}`);
  }
  return { afterBulk: counts[0]!, steady: counts[1]!, requests };
}
