import type { SafetyVerdict } from '../safety.js';
import { plural } from './describe.js';
import { escapeMarkdown } from './escape-markdown.js';

/**
 * The safety verdict for a PR's reviewers: whether the apply on merge would be refused, by which
 * rule and with which numbers (the refusal's own words, so that every rule core/safety.ts has is
 * shown as it reports it), and how to apply it on purpose in the GitHub workflow.
 */
export function renderSafetyVerdict(verdict: SafetyVerdict): string[] {
  const { refusal } = verdict;
  if (!refusal) {
    const deletes = verdict.deletes === 0 ? 'it deletes nothing' : `it deletes ${plural(verdict.deletes, 'membership')} of ${verdict.applied} applied`;
    return [`✅ **Within the safety limits**: the apply on merge will go ahead (${deletes}).`];
  }
  const reason = refusal.reason.replace(/^refusing to apply: /, '').replace(/\.$/, '');
  return [`⛔ **The apply on merge would be refused by a safety limit**: ${escapeMarkdown(reason)}. Nothing would be sent.`, '', overrideText(refusal.kind)];
}

function overrideText(kind: string): string {
  const dispatch =
    'after merging, run the *groups-apply* workflow by hand (*Actions → groups-apply → Run workflow*) with **allow-mass-delete** ticked ' +
    "(and this plan's checksum in *expect-plan*, so that exactly this plan is applied)";
  if (kind === 'missing-groups') return '**To proceed:** restore the groups folder in this PR. No override applies: a missing folder must never delete everything.';
  if (kind === 'empty-groups') return `**To apply it on purpose:** ${dispatch}.`;
  return `**To apply it on purpose:** ${dispatch}, or change the limits under \`safety:\` in the config (\`.groupops/config.yaml\`) in this PR.`;
}
