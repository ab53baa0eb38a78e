import { isAbsolute, relative } from 'node:path';
import { FileSystemError } from '../errors/index.js';

/** The calls of the FileSystem port, as they are named in messages. */
export type FsOperation = 'read' | 'stat' | 'create' | 'write' | 'sync' | 'close' | 'rename' | 'link' | 'remove' | 'make-folder' | 'remove-folder' | 'list' | 'sync-folder';

/** What each call was doing, for "could not …" ({path}: the path, {to}: a rename's target). */
const DOING: Record<FsOperation, string> = {
  read: 'read {path}',
  stat: 'look at {path}',
  create: 'create {path}',
  write: 'write {path}',
  sync: 'sync {path} to disk',
  close: 'close {path}',
  rename: 'rename {path} to {to}',
  link: 'create {path}',
  remove: 'remove {path}',
  'make-folder': 'create the folder {path}',
  'remove-folder': 'remove the folder {path}',
  list: 'list the folder {path}',
  'sync-folder': 'sync the folder {path} to disk',
};

/** What an error code means, and what to do about it (`{path}` stands for the path). */
const MEANING: Record<string, { what: string; advice: string }> = {
  ENOSPC: { what: 'the disk is full', advice: 'Free some space on that disk, then run the command again.' },
  EDQUOT: { what: 'the disk quota is used up', advice: 'Free some space or raise the quota, then run the command again.' },
  EROFS: { what: 'the file system is read-only', advice: 'Run groupops where the work tree can be written (or mount it read-write), then run the command again.' },
  EACCES: { what: 'permission denied', advice: 'Check the permissions of {path} and of its folder (ls -l), or run as the user who owns the work tree, then run the command again.' },
  EPERM: {
    what: 'operation not permitted',
    advice: 'Check the permissions and attributes of {path} and of its folder (ls -l; a file made immutable, or one another program holds), then run the command again.',
  },
  EISDIR: { what: 'it is a folder, where groupops needs a file', advice: "Move the folder {path} out of the way, or point --state (or the config's state) at a file such as .groupops/snapshot.json." },
  ENOTDIR: { what: 'a part of the path is a file, where groupops needs a folder', advice: "Move the file that is in the way, or point --state (or the config's state) at another path." },
  ENOENT: { what: 'a folder on the path does not exist (was it removed meanwhile?)', advice: 'Check that the folder of {path} exists, then run the command again.' },
  EEXIST: { what: 'something is already there', advice: 'Move {path} out of the way, then run the command again.' },
  ENOTEMPTY: { what: 'the folder is not empty', advice: 'Look at what is in {path}, then run the command again.' },
  EMFILE: { what: 'too many files are open in this process', advice: 'Raise the limit of open files (ulimit -n), then run the command again.' },
  ENFILE: { what: 'too many files are open on this system', advice: "Close other programs or raise the system's limit of open files, then run the command again." },
  EIO: { what: 'an input/output error (the disk or a network file system failed)', advice: "Check the disk (dmesg, the file system's health), then run the command again." },
  ENAMETOOLONG: { what: 'the path is too long', advice: "Point --state (or the config's state) at a shorter path." },
  ELOOP: { what: 'too many symbolic links on the path', advice: 'Check the symbolic links on the path of {path}.' },
  EBUSY: { what: 'the file is busy (another program holds it)', advice: 'Close the program that holds {path}, then run the command again.' },
  ETXTBSY: { what: 'the file is busy (another program holds it)', advice: 'Close the program that holds {path}, then run the command again.' },
  EAGAIN: { what: 'the file is locked or not ready', advice: 'Run the command again.' },
  ESTALE: { what: 'the network file system lost track of the file', advice: "Check the network file system's mount, then run the command again." },
  EFBIG: { what: 'the file is larger than the file system allows', advice: 'Move the work tree to a file system that takes larger files.' },
  ERR_FS_FILE_TOO_LARGE: {
    what: 'the file is too large to read at once (over 2 GiB)',
    advice: 'Check that {path} is the snapshot groupops wrote: a snapshot of a million memberships is about 100 MB.',
  },
};

/**
 * The FileSystemError for a failed call, or the error itself when it is not one from the file
 * system (which is then a bug). The one place where Node's errors become messages: the real adapter
 * translates through it, and a test adapter injecting `{ code: 'ENOSPC' }` gets the same error.
 */
export function toFileSystemError(error: unknown, operation: FsOperation, path: string, displayRoot?: string, to?: string): unknown {
  const errno = errnoOf(error);
  if (errno === undefined) return error;
  const shown = displayPath(path, displayRoot);
  const doing = DOING[operation].replace('{path}', shown).replace('{to}', to === undefined ? '' : displayPath(to, displayRoot));
  const meaning = MEANING[errno] ?? { what: `an unexpected file-system error${syscallOf(error)}`, advice: 'Check the disk and the path, then run the command again.' };
  return new FileSystemError({ errno, path: shown, problem: `could not ${doing}: ${meaning.what} (${errno})`, advice: meaning.advice.replaceAll('{path}', shown) }, { cause: error });
}

/** The path as users know it: relative to the work tree when inside it. */
export function displayPath(path: string, displayRoot: string | undefined): string {
  if (displayRoot === undefined) return path;
  const rel = relative(displayRoot, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^(E[A-Z0-9]+|ERR_FS_[A-Z_]+)$/.test(code) ? code : undefined;
}

function syscallOf(error: unknown): string {
  const syscall = (error as NodeJS.ErrnoException).syscall;
  return typeof syscall === 'string' ? ` in ${syscall}` : '';
}
