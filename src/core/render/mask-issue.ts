import type { SourceIssue } from '../../errors/index.js';
import { maskValue } from './mask.js';

/**
 * The issue as a PR reader may see it: every value it lists as sensitive is replaced by its mask
 * (188****8888) wherever the message quotes it. One pass over the message, longest value first,
 * so that a value inside another (138 in 13800000000) cannot leave part of the longer one showing.
 * The result carries no `sensitive` list: the values are gone from it.
 */
export function maskIssue(issue: SourceIssue): SourceIssue {
  const { sensitive, ...rest } = issue;
  const values = [...new Set(sensitive ?? [])].filter((v) => v !== '').sort((a, b) => b.length - a.length);
  if (values.length === 0) return rest;
  const pattern = new RegExp(values.map(escapeRegExp).join('|'), 'g');
  return { ...rest, message: issue.message.replace(pattern, (value) => maskValue(value)) };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
