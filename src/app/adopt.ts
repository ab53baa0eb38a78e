import { readFile, stat } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';
import { readExport, type ExportContents } from '../adopt/export-csv.js';
import { renderGroupFiles, type FileOut } from '../adopt/group-file-text.js';
import { pathExists, stageFiles, type PlacedFiles } from '../adopt/stage-files.js';
import { countMemberships, groupKey, type GroupMembers, type MembershipState } from '../core/model.js';
import { buildPlan, isEmptyPlan } from '../core/plan.js';
import { snapshotTarget, type SnapshotTarget, type TargetRecord } from '../core/target.js';
import { InternalError, InvalidInputError, UnsafePlanError } from '../errors/index.js';
import { groupopsRepository } from '../init/action-ref.js';
import { exampleGroupText } from '../init/scaffold-files.js';
import { endpointRulesOf } from '../load/endpoint-config.js';
import { listGroupFiles } from '../load/group-files.js';
import type { LoadedGroup } from '../load/group-file.js';
import { loadGroups, type LoadGroupsOptions } from '../load/load-groups.js';
import { toolVersion } from '../load/package-root.js';
import type { FileSystem } from '../state/file-system.js';
import { journalPath } from '../state/journal.js';
import { acquireStateLock } from '../state/lock.js';
import type { AdoptedFrom, Snapshot } from '../state/snapshot-format.js';
import { readSnapshot, writeSnapshot } from '../state/snapshot-store.js';
import { sourcesOf } from './group-sources.js';
import { validateGroups } from './plan-workspace.js';
import { targetRecord } from './target.js';
import { resolveIn, type Workspace } from './workspace.js';

/** What `groupops adopt` is told. */
export interface AdoptOptions {
  /** An export of the platform's memberships (CSV, path relative to the workspace root); absent: the group files. */
  readonly from?: string;
  /** Read the export's columns with these custom identity types too (`--identity-type`). */
  readonly identityTypes?: readonly string[];
  /** Leave these export columns out (`--ignore-column`). */
  readonly ignoreColumns?: readonly string[];
  /** Groups with more members keep them in CSV member lists (`--csv-threshold`). */
  readonly csvThreshold?: number;
  /** Replace a snapshot that records memberships, and group files at the paths the export writes. */
  readonly force?: boolean;
  /** Record the selected target in the snapshot, keeping its memberships (`--retarget`). */
  readonly retarget?: boolean;
}

/** The ports adopt needs: the snapshot's file system, the clock, git, the tool's version. It sends nothing. */
export interface AdoptDeps {
  /** Where the snapshot, its journal and its lock are read and written (state/node-file-system.ts). */
  readonly fileSystem: FileSystem;
  readonly clock: () => Date;
  readonly gitCommit: (cwd: string) => Promise<string | null>;
  readonly toolVersion: string;
}

export interface AdoptOutcome {
  readonly source: AdoptedFrom | 'retarget';
  readonly target: TargetRecord;
  /** Groups and memberships the snapshot now records. */
  readonly groups: number;
  readonly memberships: number;
  /** Files written into the groups folder (paths relative to the workspace root, with `/`). */
  readonly files: readonly string[];
  /** Of those, the ones that replaced a file (`--force`). */
  readonly replaced: readonly string[];
  /** Group files (and their member lists) removed because the export declares their groups (`--force`), or the untouched example `groupops init` wrote. */
  readonly removed: readonly string[];
  /** Of those, the untouched examples of `groupops init` (placeholders, removed without --force). */
  readonly initExamples?: readonly string[];
  /** Group files already in the groups folder whose groups the export does not have (their memberships are pending adds). */
  readonly otherGroupFiles: readonly string[];
  /** What the snapshot recorded before. */
  readonly previous: { readonly memberships: number; readonly target?: SnapshotTarget };
  /** An interrupted apply's journal that was removed (`--force`, `--retarget`: its requests are in the snapshot written). */
  readonly journalRemoved: boolean;
}

/**
 * `groupops adopt`: records memberships the platform already holds into the snapshot, sending
 * nothing, so that the first apply does not resend a whole tenant. From the group files ("the
 * platform holds exactly these"), or from an export of the platform's memberships, from which it
 * also writes the group files. Everything is read and checked before anything is written: the
 * group files are written aside, loaded back and compared with the export, moved into place, and
 * the snapshot is written last, through the atomic writer apply uses (a failure there puts the
 * groups folder back). Refuses (UnsafePlanError) to replace a snapshot that records memberships,
 * or existing group files, unless `force`.
 */
export async function adoptWorkspace(ws: Workspace, deps: AdoptDeps, options: AdoptOptions = {}): Promise<AdoptOutcome> {
  const target = targetRecord(ws.target);
  if (options.retarget) return retarget(ws, deps, target);
  const exported = options.from !== undefined ? await readExportFile(ws, options.from, options) : undefined;
  const desired = exported ? undefined : await validateGroups(ws, { hashInputs: true });
  if (desired && !desired.folderExists) {
    throw new InvalidInputError(
      [
        {
          file: ws.groupsDir,
          line: 1,
          column: 1,
          message: `the groups folder "${ws.groupsDir}" does not exist: adopt records what its group files declare (or, with --from, what an export of the platform holds)`,
        },
      ],
      'there is nothing to adopt',
    );
  }
  if (desired && countMemberships(desired.state) === 0) {
    throw new InvalidInputError([{ file: ws.groupsDir, line: 1, column: 1, message: 'the group files declare no memberships: there is nothing to adopt' }], 'there is nothing to adopt');
  }
  const statePath = resolveIn(ws.cwd, ws.statePath);
  const lock = await acquireStateLock(deps.fileSystem, statePath, ws.statePath, deps.clock());
  try {
    const read = await readSnapshot(deps.fileSystem, statePath, ws.statePath);
    const previous = { memberships: countMemberships(read.snapshot.applied), ...optional('target', snapshotTarget(read.snapshot)) };
    const pendingJournal = read.journal !== undefined && !read.journal.stale && read.journal.journal.records.length > 0;
    if (!options.force) refuseReplacing(ws, previous.memberships, pendingJournal);
    let applied: MembershipState;
    let placed: PlacedFiles | undefined;
    let files: string[] = [];
    let replaced: string[] = [];
    let removed: string[] = [];
    let initExamples: string[] = [];
    let otherGroupFiles: string[] = [];
    if (exported) {
      ({ applied, placed, files, replaced, removed, initExamples, otherGroupFiles } = await writeGroupFiles(ws, exported, options));
    } else applied = desired!.state;
    const snapshot: Snapshot = {
      target,
      applied,
      lastApply: {
        // The export's group files are not committed yet: no commit describes them.
        commit: exported ? null : await deps.gitCommit(ws.cwd),
        time: deps.clock().toISOString(),
        toolVersion: deps.toolVersion,
        endpoint: target.baseUrl,
        complete: true,
        adopted: exported ? 'export' : 'groups',
        requests: [],
      },
      // The groups recorded are exactly what their files declare: the next plan leaves them unread.
      ...(desired ? { sources: sourcesOf(ws, desired) } : {}),
    };
    try {
      await writeSnapshot(deps.fileSystem, statePath, snapshot);
    } catch (err) {
      await placed?.rollback();
      throw err;
    }
    if (read.journal) await deps.fileSystem.remove(journalPath(statePath));
    return {
      source: exported ? 'export' : 'groups',
      target,
      groups: [...applied.values()].filter((g) => g.members.size > 0).length,
      memberships: countMemberships(applied),
      files,
      replaced,
      removed,
      ...(initExamples.length > 0 ? { initExamples } : {}),
      otherGroupFiles,
      previous,
      journalRemoved: pendingJournal,
    };
  } finally {
    await lock.release();
  }
}

/**
 * `--retarget`: the snapshot's memberships stay, the selected target is recorded (the tenant's URL
 * or the target's name changed). A pending journal is folded in, as an apply would.
 */
async function retarget(ws: Workspace, deps: AdoptDeps, target: TargetRecord): Promise<AdoptOutcome> {
  const statePath = resolveIn(ws.cwd, ws.statePath);
  const lock = await acquireStateLock(deps.fileSystem, statePath, ws.statePath, deps.clock());
  try {
    const read = await readSnapshot(deps.fileSystem, statePath, ws.statePath);
    if (read.digest === null && !read.journal) {
      const message = 'there is no snapshot here to retarget: the first apply or adopt records the target it is made for';
      throw new InvalidInputError([{ file: ws.statePath, line: 1, column: 1, message }], 'there is nothing to retarget');
    }
    const previous = { memberships: countMemberships(read.snapshot.applied), ...optional('target', snapshotTarget(read.snapshot)) };
    await writeSnapshot(deps.fileSystem, statePath, { ...read.snapshot, target });
    if (read.journal) await deps.fileSystem.remove(journalPath(statePath));
    const memberships = countMemberships(read.snapshot.applied);
    const groups = [...read.snapshot.applied.values()].filter((g) => g.members.size > 0).length;
    const journalRemoved = read.journal !== undefined && !read.journal.stale && read.journal.journal.records.length > 0;
    return { source: 'retarget', target, groups, memberships, files: [], replaced: [], removed: [], otherGroupFiles: [], previous, journalRemoved };
  } finally {
    await lock.release();
  }
}

/** Refuses to replace what the snapshot records, or an interrupted apply's journal, without --force. */
function refuseReplacing(ws: Workspace, memberships: number, pendingJournal: boolean): void {
  if (pendingJournal) {
    throw new UnsafePlanError(
      `refusing to adopt: ${journalPath(ws.statePath)} holds requests of an interrupted apply, which the platform acknowledged.`,
      'Finish that apply first (groupops apply), or, if the platform holds exactly what you adopt, rerun with --force (the journal is then removed).',
    );
  }
  if (memberships > 0) {
    throw new UnsafePlanError(
      `refusing to adopt: ${ws.statePath} already records ${memberships} membership${memberships === 1 ? '' : 's'}, which adopting would replace (groupops plan shows how they differ from the group files).`,
      'If the platform holds exactly what you adopt, rerun with --force; otherwise keep the snapshot and apply the difference.',
    );
  }
}

async function readExportFile(ws: Workspace, from: string, options: AdoptOptions): Promise<ExportContents> {
  const path = resolveIn(ws.cwd, from);
  let bytes: Buffer;
  try {
    if (!(await stat(path)).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EISDIR') throw err;
    const message = code === 'ENOENT' ? 'the export does not exist: check the --from path' : 'this is a folder, not an export: --from names a CSV file';
    throw new InvalidInputError([{ file: from, line: 1, column: 1, message }], 'the export cannot be read');
  }
  // The config's custom identity types are the tenant's as much as --identity-type's.
  const custom = [...ws.config.identityTypes.custom, ...(options.identityTypes ?? [])];
  const result = readExport(from, bytes, {
    ...(custom.length > 0 ? { identityTypes: custom } : {}),
    ...optional('ignoreColumns', options.ignoreColumns),
  });
  if (!result.ok) throw new InvalidInputError(result.issues, 'the export is invalid');
  return result.value;
}

/**
 * Writes the export's group files: aside first, loaded back with the configured endpoint rules and
 * compared with the export, then moved into the groups folder. With `force`, the group files (and
 * their member lists) that declare a group of the export make way for it; the others stay. Returns
 * the state the files declare (what the snapshot records) and the files put in place, for a rollback.
 */
async function writeGroupFiles(
  ws: Workspace,
  exported: ExportContents,
  options: AdoptOptions,
): Promise<{ applied: MembershipState; placed: PlacedFiles; files: string[]; replaced: string[]; removed: string[]; initExamples: string[]; otherGroupFiles: string[] }> {
  const groupsRoot = resolveIn(ws.cwd, ws.groupsDir);
  const schema = await schemaFor(ws.cwd);
  const listed = (await listGroupFiles(groupsRoot, ws.cwd)) ?? [];
  // The example `groupops init` wrote, untouched, is a placeholder: it makes way for the export's files.
  const examples = await untouchedInitExamples(ws, listed);
  const existing = listed.filter((f) => !examples.includes(f));
  const fromExport = exportState(exported);
  const ofExport = existing.length > 0 && options.force ? await existingOfExport(ws, fromExport) : { remove: [], others: [], keep: [] };
  const { others, keep } = ofExport;
  const remove = [...ofExport.remove, ...examples];
  const out = renderGroupFiles(
    exported.groups.map((g) => ({ group: g.group, members: [...g.members.values()].map((m) => m.member) })),
    {
      identityOrder: exported.identityTypes,
      // Files that stay keep their paths: a new file never lands on one.
      taken: keep.map((f) => relative(groupsRoot, resolveIn(ws.cwd, f)).split(sep).join('/')),
      ...optional('csvThreshold', options.csvThreshold),
      ...(schema
        ? {
            schemaRef: (path: string) =>
              relative(dirname(join(groupsRoot, ...path.split('/'))), schema)
                .split(sep)
                .join('/'),
          }
        : {}),
    },
  );
  const files = out.map((f) => displayPath(ws.groupsDir, f.path));
  if (!options.force) await refuseOverwriting(ws, existing, out);
  const staged = await stageFiles(ws.cwd, ws.groupsDir, out);
  try {
    const loaded = await loadGroups(staged.dir, ws.cwd, loadOptionsOf(ws));
    if (!loaded.ok) {
      // Rules the export's reader does not know (the configured endpoint's): shown at the files adopt would write.
      const issues = loaded.issues.map((i) => ({ ...i, file: i.file.startsWith(`${staged.dir}/`) ? displayPath(ws.groupsDir, i.file.slice(staged.dir.length + 1)) : i.file }));
      throw new InvalidInputError(issues, 'the group files made from the export would be invalid');
    }
    if (!isEmptyPlan(buildPlan(loaded.value.state, fromExport))) {
      throw new InternalError("the group files written from the export do not declare exactly the export's memberships");
    }
    const placed = await staged.place(remove.map((f) => resolveIn(ws.cwd, f)));
    const written = new Set(files);
    const replaced = [...remove.filter((f) => written.has(f)), ...placed.replaced.map((p) => displayPath(ws.groupsDir, p))];
    return { applied: loaded.value.state, placed, files, replaced, removed: remove.filter((f) => !written.has(f)), initExamples: examples.filter((f) => !written.has(f)), otherGroupFiles: others };
  } finally {
    await staged.discard();
  }
}

/**
 * The existing group files (and the member lists they name) that declare a group of the export, to
 * be replaced by the export's files; the other group files, which stay; and every file that stays
 * (those and their member lists). An invalid groups folder is an error: what its files declare
 * cannot be told.
 */
async function existingOfExport(ws: Workspace, fromExport: MembershipState): Promise<{ remove: string[]; others: string[]; keep: string[] }> {
  const loaded = await loadGroups(ws.groupsDir, ws.cwd, loadOptionsOf(ws));
  if (!loaded.ok) throw new InvalidInputError(loaded.issues, 'the groups folder holds invalid group files: fix them, or move them away, before adopt --force replaces the groups of the export');
  const remove: string[] = [];
  const others: string[] = [];
  const lists = (g: LoadedGroup): string[] => (g.memberFiles ?? []).map((list) => posix.join(posix.dirname(g.file), list.path));
  const kept = new Set<string>();
  for (const g of loaded.value.groups) {
    if (fromExport.has(groupKey(g.group))) remove.push(g.file);
    else {
      others.push(g.file);
      for (const list of lists(g)) kept.add(list);
    }
  }
  // A member list goes with the files it belongs to, unless a file that stays names it too.
  for (const g of loaded.value.groups) if (fromExport.has(groupKey(g.group))) remove.push(...lists(g).filter((l) => !kept.has(l) && !remove.includes(l)));
  return { remove, others, keep: [...others, ...kept] };
}

/** The group files among `files` that are still exactly the example `groupops init` writes. */
async function untouchedInitExamples(ws: Workspace, files: readonly string[]): Promise<string[]> {
  const example = exampleGroupText({ version: toolVersion(), repository: groupopsRepository() });
  const found: string[] = [];
  for (const file of files) {
    if (posix.basename(file) !== 'example.yaml') continue;
    const text = await readFile(resolveIn(ws.cwd, file), 'utf8').catch(() => undefined);
    if (text === example) found.push(file);
  }
  return found;
}

/** Refuses (without --force) to write into a groups folder that holds group files, or over any file. */
async function refuseOverwriting(ws: Workspace, existing: readonly string[], out: readonly FileOut[]): Promise<void> {
  const taken: string[] = [];
  for (const f of out) {
    if (await pathExists(join(resolveIn(ws.cwd, ws.groupsDir), ...f.path.split('/')))) taken.push(displayPath(ws.groupsDir, f.path));
  }
  if (existing.length === 0 && taken.length === 0) return;
  const what =
    taken.length > 0
      ? `${taken.length} of the files it would write already exist (${taken.slice(0, 3).join(', ')}${taken.length > 3 ? ', …' : ''})`
      : `${ws.groupsDir}/ already holds ${existing.length} group file${existing.length === 1 ? '' : 's'}`;
  throw new UnsafePlanError(
    `refusing to adopt the export: ${what}, and adopting writes the group files from the export.`,
    "Move them out of the way, or rerun with --force: the group files of groups the export has are replaced by the export's, the others stay (their memberships are not in the export, so plan shows them as adds).",
  );
}

/** The memberships of the export as a state, to compare the written files with. */
function exportState(exported: ExportContents): MembershipState {
  const state = new Map<string, GroupMembers>();
  for (const g of exported.groups) state.set(groupKey(g.group), { group: g.group, members: new Map([...g.members].map(([k, m]) => [k, m.member])) });
  return state;
}

/**
 * The group schema for a modeline: `schemas/` of the repository (groupops's own, or one copied in),
 * else the installed package's; undefined when neither exists (editors can still be pointed at it
 * by their settings).
 */
async function schemaFor(cwd: string): Promise<string | undefined> {
  for (const candidate of [join(cwd, 'schemas', 'group.schema.json'), join(cwd, 'node_modules', 'groupops', 'schemas', 'group.schema.json')]) {
    if (await pathExists(candidate)) return candidate;
  }
  return undefined;
}

/** A path under the groups folder as shown to users: relative to the workspace root, with `/`. */
function displayPath(groupsDir: string, path: string): string {
  return posix.join(groupsDir.split(sep).join('/'), path);
}

/** `{ [key]: value }` when value is defined, else `{}` (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The configured rules group files are read with (as validate reads them): endpoints, identity types, file size. */
function loadOptionsOf(ws: Workspace): Pick<LoadGroupsOptions, 'rules' | 'identityTypes' | 'maxFileBytes'> {
  return { rules: endpointRulesOf(ws.config), identityTypes: ws.config.identityTypes, maxFileBytes: ws.config.limits.maxFileBytes };
}
