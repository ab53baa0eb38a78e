import { applyWorkflow, planWorkflow } from './workflow-files.js';

/** One file `groupops init` writes, relative to the repository root, with `/`. */
export interface ScaffoldFile {
  readonly path: string;
  readonly content: string;
}

/** What the scaffold depends on: the running groupops and the repository it is written into. */
export interface ScaffoldOptions {
  /** groupops's version: stamped into the copied schemas. */
  readonly version: string;
  /** `owner/name` of groupops on GitHub, for the links to its docs. */
  readonly repository: string;
  /** The `uses:` of the Action in the workflows. */
  readonly action: string;
  /** The default branch, where merges are applied. */
  readonly branch: string;
  /** The JSON Schemas of groupops, by file name (`group.schema.json`, `config.schema.json`), as text. */
  readonly schemas: Readonly<Record<string, string>>;
}

/** The schemas a user edits files against; they are copied into `schemas/` of the repository. */
export const EDITOR_SCHEMAS = ['group.schema.json', 'config.schema.json'] as const;

/**
 * The lines `init` makes sure `.gitignore` has: what an apply writes next to the snapshot while it
 * runs (its lock, its journal, files written aside; only the snapshot itself is committed), and
 * node_modules/ for a repository that installs groupops as a devDependency to run it locally.
 */
export const GITIGNORE_LINES = [
  '# groupops: the lock, journal and temporary files of an apply (only the snapshot is committed)',
  '.groupops/*.lock',
  '.groupops/*.journal',
  '.groupops/*.tmp',
  'node_modules/',
] as const;

/**
 * Every file of a new groups repository. The YAML files name their schema with a
 * `yaml-language-server` modeline relative to themselves (`../schemas/…`), and the schemas are
 * copied into `schemas/` at the root: the same layout as groupops's own repository, so that the
 * modelines of its shipped example groups resolve in the user's repository too.
 */
export function scaffoldFiles(options: ScaffoldOptions): ScaffoldFile[] {
  const docs = docsUrl(options);
  return [
    { path: '.groupops/config.yaml', content: configYaml(docs) },
    { path: 'groups/example.yaml', content: exampleGroupYaml(docs) },
    { path: '.github/workflows/groups-plan.yml', content: planWorkflow(options) },
    { path: '.github/workflows/groups-apply.yml', content: applyWorkflow(options) },
    ...EDITOR_SCHEMAS.map((name) => ({ path: `schemas/${name}`, content: stampSchema(schemaText(options, name), options.version) })),
  ];
}

/**
 * The example group file `init` writes, as this version writes it: `adopt --from` takes a file that is
 * still exactly this for the placeholder it is, not for a group of the user's.
 */
export function exampleGroupText(options: Pick<ScaffoldOptions, 'version' | 'repository'>): string {
  return exampleGroupYaml(docsUrl(options));
}

function docsUrl(options: Pick<ScaffoldOptions, 'version' | 'repository'>): string {
  return `https://github.com/${options.repository}/blob/v${options.version}/docs`;
}

function schemaText(options: ScaffoldOptions, name: string): string {
  const text = options.schemas[name];
  if (text === undefined) throw new Error(`the schema ${name} is missing from the groupops package`);
  return text;
}

/**
 * A schema with a `$comment` saying which groupops it comes from, placed first after `$schema`, so
 * that a stale copy shows at the top of the file. The rest is unchanged.
 */
export function stampSchema(text: string, version: string): string {
  const { $schema, $comment: _old, ...rest } = JSON.parse(text) as Record<string, unknown>;
  const $comment = `Copied from groupops ${version} by \`groupops init\`, for editor completion. After upgrading groupops, delete this file and run \`groupops init\` again to get the new version.`;
  return `${JSON.stringify({ ...($schema !== undefined ? { $schema } : {}), $comment, ...rest }, null, 2)}\n`;
}

function configYaml(docs: string): string {
  return `# yaml-language-server: $schema=../schemas/config.schema.json
# groupops settings. Every key is optional; the values below are the defaults.
# Reference: ${docs}/config.md
groups: groups                   # the folder of group files
state: .groupops/snapshot.json   # the snapshot: what was applied, committed by the apply workflow
safety:
  maxDeletePercent: 25           # apply refuses more deletes than 25% of the snapshot ...
  maxDeleteCount: 20             # ... and more than 20 in total (--allow-mass-delete overrides)
  maxDeleteTotal: 5000           # and never more than 5000 deletes in one apply, whatever the share
# output:
#   maskIdentities: true         # mask identity values (188****8888) in every output, on this machine too
#                                # (default: in PR comments, job summaries, Markdown, and whenever CI is set)
# api:
#   baseUrl: https://integrate.rabbitpre.com   # your tenant's API (RABBITPRE_BASE_URL wins)
`;
}

function exampleGroupYaml(docs: string): string {
  return `# yaml-language-server: $schema=../schemas/group.schema.json
# One group per file; a file in a subfolder names its schema with one more ../ per level.
# Reference: ${docs}/group-files.md
#
# This example has no members, so applying it sends nothing. Rename it and list the members, or
# replace it with your groups (\`groupops adopt\` writes them from what the platform holds).
name: Example group
category: enterprise             # enterprise (the default) or department (then department: is required)
description: An example group; the description is never sent to Rabbitpre.
members: []
# To add members, replace [] above with a list like this one:
# members:
#   - phone: "18888888888"                      # quote numbers: unquoted ones lose leading zeros and +
#   - openid: o6_bmjrPTlm6_2sgVt7hMZOPfL2M      # an identity with its optional fields
#     platform: gzh
#     appid: wx1234567890abcdef
#     isWeChatEcosystem: true
#   - identities:                               # several identities of one person
#       - { type: unionid, value: oUpF8uMuAJO_M2pxb1Q9zNjWeS6o }
#       - { type: phone, value: "13900000000" }
`;
}
