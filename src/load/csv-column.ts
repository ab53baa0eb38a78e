/**
 * The 1-based column where field `j` starts on a CSV record's first line, counting quotes (a comma
 * inside quotes does not end a field); 1 when the line is unknown or has fewer fields.
 */
export function csvFieldColumn(text: string | undefined, j: number): number {
  if (text === undefined) return 1;
  let field = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (field === j) return i + 1;
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) field++;
  }
  return field === j ? text.length + 1 : 1;
}
