import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { compareStrings, memberKey, type GroupRef, type Identity, type Member } from '../core/model.js';
import { groupFileStem, PathAllocator } from './file-names.js';

/** A file to write: its path relative to the groups folder (with `/`) and its text. */
export interface FileOut {
  readonly path: string;
  readonly text: string;
}

/** A group to write: its reference and its members. */
export interface GroupToWrite {
  readonly group: GroupRef;
  readonly members: Iterable<Member>;
}

/** Groups with more members than this keep them in a CSV member list (the YAML file names it). */
export const DEFAULT_CSV_THRESHOLD = 1000;

export interface GroupFilesOptions {
  /** Members above which a group's members go to CSV member lists; default DEFAULT_CSV_THRESHOLD. */
  readonly csvThreshold?: number;
  /**
   * The identity types in the order members hold them (an export's columns): a CSV member list's
   * columns follow it, so that its rows read back as the same members. Types not in it come last.
   */
  readonly identityOrder?: readonly string[];
  /** Paths (relative to the groups folder) that files must not take: files that stay there. */
  readonly taken?: readonly string[];
  /** The `$schema` reference for a file at this path (relative to the groups folder), or undefined for no modeline. */
  readonly schemaRef?: (path: string) => string | undefined;
}

/**
 * The group files that declare exactly the given groups: one YAML file per group (see
 * groupFileStem), its members listed in YAML (sorted by key, one identity as shorthand, several in
 * full form), or — above the threshold — in CSV member lists next to it, one per key identity type
 * (a list's first column is its key). Identity values are always quoted, so no value is read as a
 * number, a boolean or null. A member whose identities repeat a type (which one CSV row cannot
 * hold) stays in the YAML file.
 */
export function renderGroupFiles(groups: readonly GroupToWrite[], options: GroupFilesOptions = {}): FileOut[] {
  const threshold = options.csvThreshold ?? DEFAULT_CSV_THRESHOLD;
  const paths = new PathAllocator(options.taken);
  const out: FileOut[] = [];
  for (const { group, members } of groups) {
    const sorted = [...members].sort((a, b) => compareStrings(memberKey(a), memberKey(b)));
    const stem = groupFileStem(group);
    const yamlPath = paths.allocate(stem, '.yaml');
    const yamlStem = yamlPath.slice(0, -'.yaml'.length);
    const lists: FileOut[] = [];
    let inYaml = sorted;
    if (sorted.length > threshold) {
      const byKeyType = new Map<string, Member[]>();
      inYaml = [];
      for (const m of sorted) {
        if (new Set(m.identities.map((i) => i.type)).size !== m.identities.length) {
          inYaml.push(m);
          continue;
        }
        const type = m.identities[0]!.type;
        let list = byKeyType.get(type);
        if (!list) byKeyType.set(type, (list = []));
        list.push(m);
      }
      // The most common key type gets the plain name; the others are named by their key type.
      const ordered = [...byKeyType.entries()].sort((a, b) => b[1].length - a[1].length || compareStrings(a[0], b[0]));
      ordered.forEach(([type, list], i) => {
        const path = paths.allocate(i === 0 ? yamlStem : `${yamlStem}.${type}`, '.csv');
        lists.push({ path, text: memberListCsv(list, options.identityOrder ?? []) });
      });
    }
    const dir = yamlPath.includes('/') ? yamlPath.slice(0, yamlPath.lastIndexOf('/') + 1) : '';
    out.push({
      path: yamlPath,
      text: groupYaml(
        group,
        inYaml,
        lists.map((l) => l.path.slice(dir.length)),
        options.schemaRef?.(yamlPath),
      ),
    });
    out.push(...lists);
  }
  return out;
}

/** A group file's YAML. */
function groupYaml(group: GroupRef, members: readonly Member[], memberFiles: readonly string[], schemaRef: string | undefined): string {
  const doc = new Document(new YAMLMap());
  const root = doc.contents as YAMLMap;
  root.add(new Pair('name', /^(?:y|n|yes|no|on|off)$/i.test(group.name) ? quoted(group.name) : group.name));
  if (group.kind === 'customer') root.add(new Pair('kind', 'customer'));
  else {
    root.add(new Pair('category', group.category));
    if (group.department) {
      const dept = new YAMLMap();
      // deptId is a long: written as its exact digits, never through a float.
      dept.add(new Pair(group.department.field, group.department.field === 'deptId' ? BigInt(group.department.value) : quoted(group.department.value)));
      root.add(new Pair('department', dept));
    }
  }
  if (memberFiles.length > 0) {
    const files = new YAMLSeq();
    for (const f of memberFiles) files.add(f);
    root.add(new Pair('memberFiles', files));
  }
  if (members.length > 0 || memberFiles.length === 0) {
    const seq = new YAMLSeq();
    for (const m of members) seq.add(memberNode(m));
    if (members.length === 0) seq.flow = true;
    root.add(new Pair('members', seq));
  }
  // The modeline is the first line, as in the shipped examples (a document comment would add a blank line).
  return `${schemaRef !== undefined ? `# yaml-language-server: $schema=${schemaRef}\n` : ''}${doc.toString({ lineWidth: 0 })}`;
}

/** A member: the shorthand for one identity, the full form for several. */
function memberNode(member: Member): YAMLMap {
  const map = new YAMLMap();
  if (member.identities.length === 1) {
    const id = member.identities[0]!;
    map.add(new Pair(id.type, quoted(id.value)));
    addQualifiers(map, id);
    return map;
  }
  const ids = new YAMLSeq();
  for (const id of member.identities) {
    const m = new YAMLMap();
    m.flow = true;
    m.add(new Pair('type', id.type));
    m.add(new Pair('value', quoted(id.value)));
    addQualifiers(m, id);
    ids.add(m);
  }
  map.add(new Pair('identities', ids));
  return map;
}

function addQualifiers(map: YAMLMap, id: Identity): void {
  if (id.platform !== undefined) map.add(new Pair('platform', id.platform));
  if (id.appid !== undefined) map.add(new Pair('appid', id.appid));
  if (id.isWeChatEcosystem !== undefined) map.add(new Pair('isWeChatEcosystem', id.isWeChatEcosystem));
}

function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

/**
 * A CSV member list of members that share their key type: the identity types in `order` (the
 * export's column order, in which every member holds its identities, so its key comes first), each
 * followed by the qualifier columns it needs (`TYPE.platform`, `TYPE.appid`, `TYPE.isWeChatEcosystem`).
 */
function memberListCsv(members: readonly Member[], order: readonly string[]): string {
  const qualifiers = new Map<string, Set<'platform' | 'appid' | 'isWeChatEcosystem'>>();
  for (const m of members) {
    for (const id of m.identities) {
      let q = qualifiers.get(id.type);
      if (!q) qualifiers.set(id.type, (q = new Set()));
      if (id.platform !== undefined) q.add('platform');
      if (id.appid !== undefined) q.add('appid');
      if (id.isWeChatEcosystem !== undefined) q.add('isWeChatEcosystem');
    }
  }
  const rank = (type: string): number => (order.includes(type) ? order.indexOf(type) : order.length);
  const types = [...qualifiers.keys()].sort((a, b) => rank(a) - rank(b) || compareStrings(a, b));
  const columns: { header: string; cell: (m: Map<string, Identity>) => string }[] = [];
  for (const type of types) {
    columns.push({ header: type, cell: (ids) => ids.get(type)?.value ?? '' });
    for (const q of ['platform', 'appid', 'isWeChatEcosystem'] as const) {
      if (qualifiers.get(type)?.has(q)) columns.push({ header: `${type}.${q}`, cell: (ids) => String(ids.get(type)?.[q] ?? '') });
    }
  }
  const rows = members.map((m) => {
    const ids = new Map(m.identities.map((i) => [i.type, i]));
    return columns.map((c) => c.cell(ids));
  });
  return stringifyCsv([columns.map((c) => c.header), ...rows]);
}
