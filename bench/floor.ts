import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';

// The single-threaded parse floor: the yaml package's full parse (positions, as the full path of
// the loader uses it) of every group file, run as its own process by the bench; prints the ms.
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const files = yamlFiles(process.argv[2]!);
const texts = files.map((f) => readFileSync(f, 'utf8'));
const started = performance.now();
let nodes = 0;
for (const text of texts) {
  const doc = parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true, strict: true, prettyErrors: false, version: '1.2', merge: false, resolveKnownTags: false });
  const value = doc.toJS({ maxAliasCount: 100 }) as { members?: unknown[] };
  nodes += value.members?.length ?? 0;
}
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, members: nodes })}\n`);
