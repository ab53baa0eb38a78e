import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

/**
 * The largest file read by default (group files, CSV member lists): room for a CSV export of a
 * million members with several identity columns (about 100 bytes a row), far below what would
 * exhaust memory. `limits.maxFileBytes` in the config changes it.
 */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Where an input file must really be and how big it may be. */
export interface InputFileRules {
  /** Real paths (symlinks resolved) of the folders an input file may really be in; absent: anywhere. */
  readonly inside?: readonly string[];
  readonly maxBytes: number;
  /** What to do about a file above the limit (default: split it, or raise limits.maxFileBytes). */
  readonly limitAdvice?: string;
}

/** Why a file was not read: callers word some reasons for their kind of file. */
export type InputFileRefusal = 'missing' | 'outside' | 'folder' | 'not-regular' | 'too-big' | 'unreadable';

export type InputFileRead = { ok: true; bytes: Buffer } | { ok: false; reason: InputFileRefusal; message: string };

/**
 * Reads an input file that a pull request may have planted: only a regular file, whose real path
 * (symlinks resolved, compared as real paths, not as text) stays inside `rules.inside`, and whose
 * size is within the limit, checked before reading. A FIFO, a device, a folder or a socket is
 * refused without being opened for reading, so nothing blocks or reads forever; the file is opened
 * non-blocking and checked again once open, so that a swap in between changes nothing.
 * The message says what the path is, for `path: message`.
 */
export function readInputFile(path: string, rules: InputFileRules): InputFileRead {
  let real: string;
  try {
    real = realpathSync.native(path);
  } catch (err) {
    return unreadable(err);
  }
  if (rules.inside && !rules.inside.some((dir) => isInside(real, dir))) {
    return { ok: false, reason: 'outside', message: `is a symlink that leads outside the repository (to ${real}): keep the file itself inside the repository, not a link to it` };
  }
  let stats: Stats;
  try {
    stats = statSync(real);
  } catch (err) {
    return unreadable(err);
  }
  const kind = notRegular(stats);
  if (kind) return kind;
  if (stats.size > rules.maxBytes) return { ok: false, reason: 'too-big', message: tooBig(stats.size, rules) };
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    return unreadable(err);
  }
  try {
    const again = notRegular(fstatSync(fd));
    if (again) return again;
    return readAtMost(fd, fstatSync(fd).size, rules);
  } catch (err) {
    return unreadable(err);
  } finally {
    closeSync(fd);
  }
}

/** The bytes of an open regular file, refusing it when it holds more than `max` (it may grow while read). */
function readAtMost(fd: number, size: number, rules: InputFileRules): InputFileRead {
  const max = rules.maxBytes;
  let buf = Buffer.allocUnsafe(Math.min(size, max) + 1);
  let length = 0;
  for (;;) {
    if (length === buf.length) {
      if (length > max) return { ok: false, reason: 'too-big', message: tooBig(undefined, rules) };
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, max + 1));
      buf.copy(bigger, 0, 0, length);
      buf = bigger;
    }
    const n = readSync(fd, buf, length, buf.length - length, null);
    if (n === 0) break;
    length += n;
  }
  if (length > max) return { ok: false, reason: 'too-big', message: tooBig(undefined, rules) };
  return { ok: true, bytes: buf.subarray(0, length) };
}

/** True when `path` is `dir` or inside it (both real, absolute paths). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Why a file is not one to read, by its kind; undefined for a regular file. */
function notRegular(stats: Stats): Extract<InputFileRead, { ok: false }> | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return { ok: false, reason: 'folder', message: 'is a folder' };
  const what = stats.isFIFO() ? 'a named pipe (FIFO)' : stats.isSocket() ? 'a socket' : stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : 'a special file';
  return { ok: false, reason: 'not-regular', message: `is ${what}, not a regular file: remove it` };
}

/** The message for a file above the limit; `size` undefined when it grew past the limit while read. */
function tooBig(size: number | undefined, rules: InputFileRules): string {
  const advice = rules.limitAdvice ?? 'split it, or raise limits.maxFileBytes in the config';
  return `${size === undefined ? 'grew while read to' : `is ${mib(size)},`} more than the limit of ${mib(rules.maxBytes)}: ${advice}`;
}

function mib(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes} bytes`;
  const m = bytes / (1024 * 1024);
  return `${m >= 10 ? Math.round(m) : Math.round(m * 10) / 10} MiB`;
}

function unreadable(err: unknown): Extract<InputFileRead, { ok: false }> {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', message: 'does not exist' };
  if (code === 'ELOOP') return { ok: false, reason: 'unreadable', message: 'is a symlink that loops back on itself: remove it' };
  if (code === 'EISDIR') return { ok: false, reason: 'folder', message: 'is a folder' };
  return { ok: false, reason: 'unreadable', message: `cannot be read (${code ?? String(err)})` };
}
