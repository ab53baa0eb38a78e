import type { Identity, Member } from '../core/model.js';
import type { LoadedMember } from './group-file.js';

/**
 * The member of a CSV row and its LoadedMember record (key, line, file) in one object: a million
 * rows make a million of these rather than two million objects for the garbage collector to move.
 * Only `identities` is an own property: compared, copied or serialized, it is a Member like any other.
 */
export class CsvRowMember implements LoadedMember, Member {
  readonly #key: string;
  readonly #line: number;
  readonly #file: string;

  constructor(
    readonly identities: readonly Identity[],
    key: string,
    line: number,
    file: string,
  ) {
    this.#key = key;
    this.#line = line;
    this.#file = file;
  }

  get key(): string {
    return this.#key;
  }

  get line(): number {
    return this.#line;
  }

  get file(): string {
    return this.#file;
  }

  get member(): Member {
    return this;
  }
}
