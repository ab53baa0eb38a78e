import { customerMemberProblems, v1MemberProblems, type V1AccurateMatch } from '../core/endpoint-identities.js';
import type { SourceIssue } from '../errors/index.js';
import type { LoadedGroup } from './group-file.js';

/** What the configured endpoints can carry: the rules a valid group file must also meet. */
export interface EndpointRules {
  /** The endpoint of user groups. */
  readonly userEndpoint: 'v2' | 'v1';
  /** With v1: the configured accurate match (the only platform/appid a member may carry). */
  readonly v1Match?: V1AccurateMatch;
}

/** Issues listed per group before the rest are only counted: a CSV list of a million wrong rows needs a few examples. */
export const MAX_RULE_ISSUES_PER_GROUP = 50;

/**
 * Checks loaded groups against what their endpoint can send: customer groups take audienceUserId,
 * openid, unionid and phone, one of each; with v1, user groups are enterprise groups whose members
 * use phone, openid, unionid and thirdId, one of each. Runs after parsing, over loaded members, so
 * the fast and the full reader (and the watch cache) share it; a member is pointed at by its line.
 * Costs nothing for v2 user groups, which take any identity.
 */
export function endpointRuleIssues(groups: readonly LoadedGroup[], rules: EndpointRules): SourceIssue[] {
  const issues: SourceIssue[] = [];
  const ruleKey = JSON.stringify(rules);
  for (const g of groups) {
    const customer = g.group.kind === 'customer';
    if (!customer && rules.userEndpoint !== 'v1') continue;
    const known = checked.get(g);
    if (known?.ruleKey === ruleKey) {
      issues.push(...known.issues);
      continue;
    }
    const found = groupIssues(g, customer, rules);
    checked.set(g, { ruleKey, issues: found });
    issues.push(...found);
  }
  return issues;
}

/**
 * Each group's issues under the rules they were checked with: `plan --watch` hands back the very
 * same LoadedGroup for a file that did not change, so a re-plan checks the edited group only (the
 * rules come from the config, which may change between runs: a group is checked again then).
 */
const checked = new WeakMap<LoadedGroup, { ruleKey: string; issues: SourceIssue[] }>();

function groupIssues(g: LoadedGroup, customer: boolean, rules: EndpointRules): SourceIssue[] {
  const issues: SourceIssue[] = [];
  if (!customer && g.group.category === 'department') {
    issues.push({
      file: g.file,
      line: g.nameLine,
      column: 1,
      message: `group "${g.group.name}" is a department group, which the v1 endpoint (userGroups.endpoint: v1 in the config) cannot address: it has no category or department fields; use v2 for department groups`,
    });
    return issues;
  }
  const problemsOf = customer ? customerMemberProblems : (m: LoadedGroup['members'][number]['member']) => v1MemberProblems(m, rules.v1Match ?? {});
  let found = 0;
  for (const m of g.members) {
    const problems = problemsOf(m.member);
    if (problems.length === 0) continue;
    found++;
    if (found <= MAX_RULE_ISSUES_PER_GROUP) for (const p of problems) issues.push({ file: m.file ?? g.file, line: m.line, column: 1, message: p });
  }
  if (found > MAX_RULE_ISSUES_PER_GROUP) {
    issues.push({
      file: g.file,
      line: g.nameLine,
      column: 1,
      message: `… and ${found - MAX_RULE_ISSUES_PER_GROUP} more members of group "${g.group.name}" with the same kind of problem (${MAX_RULE_ISSUES_PER_GROUP} are listed)`,
    });
  }
  return issues;
}
