import { isAbsolute, relative, resolve, sep } from 'node:path';
import { maskIssue } from '../core/render/mask-issue.js';
import type { SourceIssue } from '../errors/index.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationProperties {
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  readonly title?: string;
}

/**
 * One workflow command, `::error file=…,line=…,col=…::message`, escaped the way the Actions runner
 * unescapes it: `%`, CR and LF in the message, and also `:` and `,` in property values (they
 * separate the properties).
 */
export function formatAnnotation(level: AnnotationLevel, message: string, props: AnnotationProperties = {}): string {
  const parts: string[] = [];
  if (props.file !== undefined) parts.push(`file=${escapeProperty(props.file)}`);
  if (props.line !== undefined) parts.push(`line=${props.line}`);
  if (props.col !== undefined) parts.push(`col=${props.col}`);
  if (props.title !== undefined) parts.push(`title=${escapeProperty(props.title)}`);
  return `::${level}${parts.length > 0 ? ` ${parts.join(',')}` : ''}::${escapeData(message)}`;
}

/**
 * Error annotations for validation issues, one per issue, with file paths relative to the repository
 * root (GITHUB_WORKSPACE) so GitHub places them on the PR's changed lines. Annotations are shown to
 * every reader of the PR: with `mask`, the identity values an issue quotes are masked.
 */
export function issueAnnotations(issues: readonly SourceIssue[], paths: { cwd: string; workspace?: string }, options: { mask: boolean }): string[] {
  return issues.map((issue) => {
    const shown = options.mask ? maskIssue(issue) : issue;
    return formatAnnotation('error', shown.message, { file: repoPath(issue.file, paths), line: issue.line, col: issue.column, title: 'groupops' });
  });
}

/** A path as GitHub wants it in an annotation: relative to the repository root, with `/`. */
export function repoPath(file: string, paths: { cwd: string; workspace?: string }): string {
  const absolute = isAbsolute(file) ? file : resolve(paths.cwd, file);
  const rel = relative(paths.workspace ?? paths.cwd, absolute);
  return rel.split(sep).join('/');
}

/** Escapes a workflow command's message. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
