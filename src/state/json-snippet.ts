/**
 * The input text a JSON.parse error quotes (V8: `Unexpected token 'u', ..."value": u1888"... is not
 * valid JSON`), or undefined when it quotes none. The snippet may hold an identity value, so issues
 * that pass the error's message on list it as sensitive (see SourceIssue).
 */
export function jsonErrorSnippet(message: string): string | undefined {
  return /^Unexpected token '.+?', (?:\.\.\.)?"(.*)"(?:\.\.\.)? is not valid JSON$/su.exec(message)?.[1];
}
