import { buildPlan, type Plan } from '../../../../src/core/plan.js';
import { department, enterprise, member, openid, phone, state, unionid } from '../builders.js';

/** A small plan with every kind of line: adds, deletes, a re-sent member, two contexts, a multi-group item. */
export function samplePlan(): Plan {
  const applied = state([enterprise('VIP客户'), [member(phone('18888888888')), member(phone('13900000001'), unionid('oUpF8uOld'))]], [enterprise('Old group'), [member(phone('13700000002'))]]);
  const desired = state(
    [enterprise('VIP客户'), [member(phone('13900000001'), unionid('oUpF8uNew')), member(openid('o6_bmjrPTlm6_2sgVt7hMZOPfL2M', 'wx1234567890abcdef'))]],
    [enterprise('Beta'), [member(openid('o6_bmjrPTlm6_2sgVt7hMZOPfL2M', 'wx1234567890abcdef'))]],
    [department('研发部', '1001'), [member(phone('13500000004'))]],
  );
  return buildPlan(desired, applied);
}
