import type { ExplainReport } from '../explain.js';
import { canonicalIdentity, type Identity } from '../model.js';
import { FORMAT_VERSION, jsonGroup } from './json.js';
import { maskValue } from './mask.js';

/** `groupops explain --format json`: one document, described by schemas/explain-output.schema.json. */
export function renderExplainJson(report: ExplainReport, options: { readonly mask: boolean }): string {
  const ids = (identities: readonly Identity[]) => identities.map(canonicalIdentity).map((i) => (options.mask ? { ...i, value: maskValue(i.value) } : i));
  const { snapshot } = report;
  const doc = {
    formatVersion: FORMAT_VERSION,
    query: options.mask && !report.query.includes('****') ? maskValue(report.query) : report.query,
    matched: report.members.length > 0,
    groups: { dir: report.groups.dir, exists: report.groups.exists },
    snapshot: {
      path: snapshot.path,
      exists: snapshot.exists,
      lastApply:
        snapshot.lastApply === null
          ? null
          : {
              commit: snapshot.lastApply.commit,
              time: snapshot.lastApply.time,
              endpoint: snapshot.lastApply.endpoint,
              complete: snapshot.lastApply.complete,
              requests: snapshot.lastApply.requests,
            },
    },
    journal: report.journal ?? null,
    members: report.members.map((member) => ({
      key: ids([member.key])[0],
      memberships: member.memberships.map((m) => ({
        group: jsonGroup(m.group),
        status: m.status,
        written: m.written ? { file: m.written.file, line: m.written.line, groupFile: m.written.groupFile, identities: ids(m.written.identities) } : null,
        recorded: m.recorded ? { identities: ids(m.recorded.identities) } : null,
        declaredIn: m.declaredIn ?? null,
        ...(m.journal ? { journal: m.journal } : {}),
      })),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
