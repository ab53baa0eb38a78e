import type { Identity } from '../core/model.js';

/** A problem of an identity's cells: which cell it lies in, and what to do. */
export interface IdentityCellProblem {
  readonly cell: 'value' | 'appid' | 'isWeChatEcosystem';
  readonly message: string;
}

/**
 * The identity a row's cells write — its value and its platform, appid and isWeChatEcosystem
 * qualifier cells, trimmed ('' when empty or absent; positional, as this runs for every row of a
 * million-member list) — the same for member lists and platform exports: undefined when
 * the value and its qualifiers are all empty (the row does not have this identity), a problem when
 * qualifiers stand without a value, isWeChatEcosystem is not true or false, or an appid comes
 * without isWeChatEcosystem (the API rejects it).
 */
export function identityFromCells(type: string, value: string, platform: string, appid: string, eco: string): Identity | IdentityCellProblem | undefined {
  if (value === '') {
    if (platform === '' && appid === '' && eco === '') return undefined;
    return { cell: 'value', message: `${type} is empty but its platform, appid or isWeChatEcosystem is set: fill in ${type} or clear them` };
  }
  const id: { -readonly [K in keyof Identity]: Identity[K] } = { type, value };
  if (platform !== '') id.platform = platform;
  if (appid !== '') id.appid = appid;
  if (eco !== '') {
    const flag = /^(?:true|True|TRUE)$/.test(eco) ? true : /^(?:false|False|FALSE)$/.test(eco) ? false : undefined;
    if (flag === undefined) return { cell: 'isWeChatEcosystem', message: `isWeChatEcosystem is "${eco}": write true or false (or leave it empty)` };
    id.isWeChatEcosystem = flag;
  } else if (appid !== '') {
    return { cell: 'appid', message: 'appid requires isWeChatEcosystem (the API rejects an appid without it): fill in true or false' };
  }
  return id;
}

/** Whether identityFromCells gave a problem rather than an identity. */
export function isCellProblem(x: Identity | IdentityCellProblem): x is IdentityCellProblem {
  return 'cell' in x;
}

/** The index of the column a cell problem lies in, for an identity column and its qualifier columns. */
export function problemColumnIndex(problem: IdentityCellProblem, column: { readonly index: number; readonly qualifiers: { readonly appid?: number; readonly isWeChatEcosystem?: number } }): number {
  return problem.cell === 'value' ? column.index : problem.cell === 'appid' ? column.qualifiers.appid! : column.qualifiers.isWeChatEcosystem!;
}
