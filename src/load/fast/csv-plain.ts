// The speed-only reader of CSV member lists: text without quotes (most exports) split on line
// breaks and commas, exactly as csv-parse splits it (test/load/fast/ holds the two to the same
// records); anything else is csv-parse's (csv-members.ts).

/** A CSV record: its fields, the line it starts on, and the raw line for column positions. */
export interface CsvRecord {
  readonly fields: readonly string[];
  readonly line: number;
  readonly text: string | undefined;
}

/**
 * Records by index, made when asked for: a million row objects alive at once would mostly feed the
 * garbage collector. A record given by `at` may be reused by the next call: rows are read one at a time.
 */
export interface CsvRecords {
  readonly length: number;
  at(index: number): CsvRecord;
}

/**
 * The records of a text without quotes and with one kind of line break, split by hand; undefined
 * for any other text (csv-parse reads it). Empty lines are skipped, as csv-parse skips them.
 */
export function splitPlainCsv(text: string): CsvRecords | undefined {
  const crlf = text.includes('\r');
  // One kind of line break only: csv-parse takes the first break it meets as the record delimiter.
  if (!text.includes('"') && (!crlf || !/\r(?!\n)|(?<!\r)\n/.test(text))) {
    // Where each non-empty line starts and ends, and its number: the lines themselves are cut out
    // when their record is asked for, so a million of them never live at once (they would all
    // outlive young collections); typed arrays keep the positions out of the garbage collector's way.
    const breakText = crlf ? '\r\n' : '\n';
    const breakLength = crlf ? 2 : 1;
    let starts = new Int32Array(1024);
    let ends = new Int32Array(1024);
    let numbers = new Int32Array(1024);
    let count = 0;
    let line = 1;
    for (let start = 0; start < text.length; line++) {
      let end = text.indexOf(breakText, start);
      if (end === -1) end = text.length;
      if (end > start) {
        if (count === starts.length) [starts, ends, numbers] = [grown(starts), grown(ends), grown(numbers)];
        starts[count] = start;
        ends[count] = end;
        numbers[count++] = line;
      }
      start = end + breakLength;
    }
    // One record object and one field list serve every row (see CsvRecords), split by hand: at a
    // million rows, split() and a record per row cost more than reading the members out of them.
    const fields: string[] = [];
    const row = { fields, line: 0, text: '' as string | undefined };
    const records: CsvRecords = {
      length: count,
      at: (r) => {
        const lineText = text.slice(starts[r], ends[r]);
        // The header is kept while the rows are read: it gets a record of its own.
        if (r === 0) return { fields: lineText.split(','), line: numbers[0]!, text: lineText };
        splitFields(lineText, fields);
        row.line = numbers[r]!;
        row.text = lineText;
        return row;
      },
    };
    return records;
  }
  return undefined;
}

/** A copy of `a` with twice the room. */
function grown(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** `line.split(',')` into `into`, without a new array. */
function splitFields(line: string, into: string[]): void {
  let k = 0;
  let start = 0;
  for (let comma = line.indexOf(',', start); comma !== -1; comma = line.indexOf(',', start)) {
    into[k++] = line.slice(start, comma);
    start = comma + 1;
  }
  into[k++] = line.slice(start);
  into.length = k;
}
