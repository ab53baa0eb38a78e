import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../../src/core/plan.js';
import { renderText } from '../../../../src/core/render/text.js';
import { enterprise, phones, state } from '../builders.js';
import { samplePlan } from './fixture-plan.js';

const ESC = '\u001b[';

describe('renderText', () => {
  it('prints a terraform-like plan grouped by group, closing with the Plan line', () => {
    expect(renderText(samplePlan(), { color: false, mask: false })).toMatchInlineSnapshot(`
      "groupops will make these changes:

        # group 研发部 (department, wxDeptId 1001)
        + phone 13500000004

        # group Beta (enterprise)
        + openid o6_bmjrPTlm6_2sgVt7hMZOPfL2M (platform gzh, appid wx1234567890abcdef, WeChat ecosystem)

        # group Old group (enterprise)
        - phone 13700000002

        # group VIP客户 (enterprise)
        + openid o6_bmjrPTlm6_2sgVt7hMZOPfL2M (platform gzh, appid wx1234567890abcdef, WeChat ecosystem)
        ~ phone 13900000001 + unionid oUpF8uNew  (identities changed: unionid value changed; re-sent as an add)
            was phone 13900000001 + unionid oUpF8uOld
        - phone 18888888888

      Requests (deletes are sent first):
        delete  1 request, 2 items
        add     1 request, 3 items

      Checksum: 419fdba6d997fdc27c53e9de7699232f7bfc75b9348560b6653bf9d75baea1f1
      Plan: 4 to add, 2 to delete, in 2 requests.
      "
    `);
  });

  it('has no escape codes when colour is off, and only escape codes added when it is on', () => {
    const plain = renderText(samplePlan(), { color: false, mask: false });
    const coloured = renderText(samplePlan(), { color: true, mask: false });
    expect(plain).not.toContain(ESC);
    expect(coloured).toContain(ESC);
    expect(stripVTControlCharacters(coloured)).toBe(plain);
  });

  it('ends with the summary line, in singular where it is one', () => {
    const out = renderText(buildPlan(state([enterprise('g'), phones(1)]), state()), { color: false, mask: false });
    expect(out.trimEnd().split('\n').at(-1)).toBe('Plan: 1 to add, 0 to delete, in 1 request.');
  });

  it('says so when nothing changes', () => {
    const out = renderText(buildPlan(state([enterprise('g'), phones(2)]), state([enterprise('g'), phones(2)])), { color: false, mask: false });
    expect(out).toContain('No changes. The group files match the snapshot.');
    expect(out.trimEnd().split('\n').at(-1)).toBe('Plan: 0 to add, 0 to delete, in 0 requests.');
  });

  it('masks identity values when asked', () => {
    const out = renderText(samplePlan(), { color: false, mask: true });
    expect(out).toContain('phone 188****8888');
    expect(out).not.toContain('18888888888');
  });
});
