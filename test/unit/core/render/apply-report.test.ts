import { describe, expect, it } from 'vitest';
import { buildApplyReport, type ApplyReport } from '../../../../src/core/apply-report.js';
import type { AnsweredRequest } from '../../../../src/core/not-applied.js';
import { buildPlan } from '../../../../src/core/plan.js';
import { textOfChunks } from '../../../../src/core/render/json-chunks.js';
import { renderApplyJsonChunks, renderApplyMarkdown, renderApplyText, renderSnapshotCommitMessage } from '../../../../src/core/render/apply-report.js';
import { provenanceLine } from '../../../../src/github/plan-comment.js';
import { ApiError, InvalidInputError, UnsafePlanError } from '../../../../src/errors/index.js';
import { enterprise, member, phone, phones, state } from '../builders.js';

const SHA = 'abcdef0123456789abcdef0123456789abcdef01';
const plan = buildPlan(state([enterprise('A'), phones(3)]), state([enterprise('A'), phones(1, 10)]));
const accepted = (op: 'add' | 'delete', items: number, batchId: string): AnsweredRequest => ({ op, items, batchId, status: 'accepted', failed: [] });
const report = (status: ApplyReport['status'], requests: AnsweredRequest[], extra: Partial<ApplyReport> = {}): ApplyReport => ({
  status,
  plan,
  requests,
  recovered: 0,
  snapshot: { path: '.groupops/snapshot.json', written: requests.length > 0, memberships: 3 },
  ...extra,
});
const json = (r: ApplyReport, mask = false) => JSON.parse(textOfChunks(renderApplyJsonChunks(r, { mask }))) as Record<string, unknown>;

describe('renderSnapshotCommitMessage', () => {
  it('keeps batch IDs above 2^53 exact, lists them in plan order, with the provenance as trailers', () => {
    const full = renderSnapshotCommitMessage(report('applied', [accepted('delete', 1, '15314513451345123'), accepted('add', 3, '99999999999999999999')]), {
      appliedCommit: SHA,
      runUrl: 'https://github.test/acme/groups/actions/runs/7',
    });
    expect(full).toMatch(/^groupops: apply abcdef0 \(2 requests\)\n\nPlan: 3 to add, 1 to delete, in 2 requests\.\nPlan checksum: [0-9a-f]{64}\n/);
    expect(full).toContain('- delete 1 item: 15314513451345123\n- add 3 items: 99999999999999999999\n');
    expect(full).toMatch(/\nGroupops-Applied-Commit: abcdef0123456789abcdef0123456789abcdef01\nGroupops-Run: https:\/\/github\.test\/acme\/groups\/actions\/runs\/7\n$/);
    expect(full).not.toContain('[skip ci]');
  });

  it('says when an apply stopped early, with the first line of its reason', () => {
    const failure = new ApiError({ kind: 'http', endpoint: 'https://api.test/v2', summary: 'HTTP 500', retryable: true, attempts: 3, hint: 'later' });
    const partial = renderSnapshotCommitMessage(
      buildApplyReport({
        snapshotPath: 's',
        outcome: { status: 'failed', plan, requests: [accepted('delete', 1, '15314513451345123')], snapshotWritten: true, memberships: 3, recovered: 0, failure },
      }),
      { appliedCommit: SHA },
    );
    expect(partial).toMatch(/^groupops: partial apply of abcdef0 \(1 of 2 requests acknowledged\)\n/);
    expect(partial).toContain('\nStopped: POST https://api.test/v2 failed: HTTP 500 (3 attempts)\n');
  });

  it('counts one request in the singular', () => {
    const one = renderSnapshotCommitMessage({ ...report('applied', [accepted('add', 1, '15314513451345123')]), plan: buildPlan(state([enterprise('A'), phones(1)]), state()) }, { appliedCommit: SHA });
    expect(one).toMatch(/^groupops: apply abcdef0 \(1 request\)\n\nPlan: 1 to add, 0 to delete, in 1 request\.\n/);
  });

  it('names customer requests without a batch ID and a partial apply by its rows not applied', () => {
    const r = report('partial', [
      accepted('add', 2, '15314513451345123'),
      { op: 'add', items: 3, target: 'customer', status: 'partial', failed: [{ member: member(phone('15800000002')), groups: ['C'], reason: '客户不存在' }] },
    ]);
    expect(renderSnapshotCommitMessage(r, { appliedCommit: SHA })).toMatch(/^groupops: partial apply of abcdef0 \(2 requests, 1 row not applied\)\n/);
    expect(renderSnapshotCommitMessage(r, { appliedCommit: SHA })).toContain('- add 2 items: 15314513451345123\n- add 3 items: customer groups, 1 row not applied\n');
    const md = renderApplyMarkdown(r, { appliedCommit: SHA, branch: 'main' }, { mask: true, place: 'github' });
    expect(md).toContain('### groupops apply: ⚠️ partly applied');
    expect(md).toContain('| 1 | add | 2 | `15314513451345123` |\n| 2 | add | 3 | customer groups: 1 row not applied |');
    expect(md).toContain('- add phone 158&#42;&#42;&#42;&#42;0002 to C (customer group): 客户不存在');
    expect(md).toContain('**Next:** the rows not applied are not recorded in the snapshot: the next apply (a re-run, or the next merge) sends them again.');
    expect(md).not.toContain('15800000002');
  });
});

describe('renderApplyMarkdown', () => {
  it('shows the applied branch as written (entities are not decoded in code spans) and the run link from the provenance', () => {
    const md = renderApplyMarkdown(
      { status: 'unchanged', requests: [], recovered: 0 },
      { appliedCommit: SHA, branch: 'release/v1.2-rc', runUrl: 'https://github.test/r/1' },
      { mask: true, place: 'github' },
    );
    expect(md).toContain('Commit `abcdef0` on `release/v1.2-rc`.');
    expect(md).toContain('<sub>[Run log](https://github.test/r/1)</sub>');
    expect(md).not.toContain('&#');
  });

  it('tells a local reader and a GitHub reader their own next step', () => {
    const refused = buildApplyReport({ snapshotPath: 's', error: new UnsafePlanError('refusing to apply: too many deletes.', 'run again with --allow-mass-delete'), plan });
    expect(renderApplyMarkdown(refused, {}, { mask: true, place: 'github' })).toContain('run the *groups-apply* workflow by hand');
    expect(renderApplyMarkdown(refused, {}, { mask: true, place: 'local' })).toContain('run again with the override it names');
    expect(renderApplyMarkdown(refused, {}, { mask: true, place: 'local' })).toContain('### groupops apply: ⛔ refused by a safety limit');
  });

  it('masks the values invalid-input issues quote, in the reason', () => {
    const invalid = buildApplyReport({
      snapshotPath: 's',
      error: new InvalidInputError([{ file: 'groups/a.yaml', line: 4, column: 5, message: 'duplicate member: phone "18888888888"', sensitive: ['18888888888'] }], 'the group files are invalid'),
    });
    const md = renderApplyMarkdown(invalid, {}, { mask: true, place: 'github' });
    expect(md).toContain('### groupops apply: ❌ the group files are invalid');
    expect(md).toContain('the group files are invalid:\ngroups/a.yaml:4:5: duplicate member: phone "188****8888"');
    expect(md).not.toContain('18888888888');
    expect(renderApplyMarkdown(invalid, {}, { mask: false, place: 'local' })).toContain('18888888888');
  });
});

describe('the plan comment provenance', () => {
  it('shows the base branch as written, even with a backtick in it', () => {
    expect(provenanceLine({ baseRef: 'team/main' })).toContain('Applied when merged into `team/main`.');
    expect(provenanceLine({ baseRef: 'odd`name' })).toContain('Applied when merged into ``odd`name``.');
  });
});

describe('renderApplyJsonChunks', () => {
  it('puts formatVersion first and the status, completeness and snapshot after the plan', () => {
    const doc = json(report('applied', [accepted('delete', 1, '15314513451345123'), accepted('add', 3, '15314513451345124')]));
    expect(Object.keys(doc)).toEqual(['formatVersion', 'summary', 'checksum', 'changes', 'requests', 'batches', 'status', 'complete', 'snapshot']);
    expect(doc).toMatchObject({
      formatVersion: '1.1',
      status: 'applied',
      complete: true,
      batches: [
        { op: 'delete', items: 1, batchId: '15314513451345123' },
        { op: 'add', items: 3, batchId: '15314513451345124' },
      ],
    });
  });

  it('is a document for a run that stopped before planning too: status, error and every issue, values masked when asked', () => {
    const invalid = buildApplyReport({
      snapshotPath: 's',
      error: new InvalidInputError([{ file: 'groups/a.yaml', line: 4, column: 5, message: 'duplicate member: phone "18888888888"', sensitive: ['18888888888'] }], 'the group files are invalid'),
    });
    expect(json(invalid)).toEqual({
      formatVersion: '1.1',
      batches: [],
      status: 'invalid',
      complete: false,
      error: {
        code: 'INVALID_INPUT',
        message: 'the group files are invalid:\ngroups/a.yaml:4:5: duplicate member: phone "18888888888"',
        issues: [{ file: 'groups/a.yaml', line: 4, column: 5, message: 'duplicate member: phone "18888888888"' }],
      },
    });
    expect(JSON.stringify(json(invalid, true))).not.toContain('18888888888');
  });
});

describe('renderApplyText', () => {
  it('lists the acknowledged requests and the snapshot, and nothing for a run that stopped before reading it', () => {
    expect(renderApplyText(report('applied', [accepted('add', 3, '15314513451345123')]), { mask: false })).toEqual([
      'Applied 1 request:',
      '  add 3 items -> batch 15314513451345123',
      'Snapshot written: .groupops/snapshot.json (3 memberships). Commit it.',
    ]);
    expect(renderApplyText(buildApplyReport({ snapshotPath: 's', error: new Error('x') }), { mask: false })).toEqual([]);
  });

  it('says to run again to send the rest after a failure a retry may fix, and to fix the cause first after a refusal', () => {
    const failed = (failure: ApiError) =>
      renderApplyText(buildApplyReport({ snapshotPath: 's', outcome: { status: 'failed', plan, requests: [], snapshotWritten: false, memberships: 0, recovered: 0, failure } }), { mask: false }).at(
        -1,
      );
    const api = (status: number, retryable: boolean) =>
      new ApiError({ kind: 'http', endpoint: 'https://integrate.rabbitpre.com/api/integrate/audience/group/rel/v2/batchAdd', summary: `HTTP ${status}`, status, retryable, attempts: 1 });
    expect(failed(api(503, true))).toBe('Run groupops apply again to send the rest.');
    expect(failed(api(401, false))).toBe('Fix what the error names before running groupops apply again: the same request would get the same answer.');
  });
});
