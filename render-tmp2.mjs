import { openSync, writeSync, closeSync } from 'node:fs';
import { loadGroups } from './dist/src/load/load-groups.js';
import { buildPlan } from './dist/src/core/plan.js';
import { renderJsonChunks } from './dist/src/core/render/json.js';
import { identitiesJson } from './dist/src/core/json-text.js';
const dir = process.argv[2];
const r = await loadGroups('groups', dir);
const plan = buildPlan(r.value.state, new Map());
for (let round = 0; round < 2; round++) {
let t = performance.now();
let fd = openSync('/dev/null', 'w');
for (const c of renderJsonChunks(plan, { mask: false })) writeSync(fd, c);
closeSync(fd);
console.log('chunks->writeSync(string) /dev/null', performance.now() - t); t = performance.now();
fd = openSync('/dev/null', 'w');
let buf = Buffer.allocUnsafe(1 << 20); let off = 0; let g; let gt = ''; let total = 0;
for (const c of plan.changes) {
  if (c.group !== g) { g = c.group; gt = JSON.stringify({ name: g.name, category: g.category }); }
  const s = `{"op":"${c.op}","group":${gt},"member":{"identities":${identitiesJson(c.member.identities)}}},`;
  if (off + s.length * 3 > buf.length) { writeSync(fd, buf, 0, off); total += off; off = 0; }
  off += buf.utf8Write(s, off);
}
writeSync(fd, buf, 0, off); closeSync(fd);
console.log('per-change utf8Write', performance.now() - t, total); t = performance.now();
fd = openSync('/dev/null', 'w'); off = 0; let gb; g = undefined;
for (const c of plan.changes) {
  if (c.group !== g) { g = c.group; gb = Buffer.from(`,"group":${JSON.stringify({ name: g.name, category: g.category })},"member":{"identities":`); }
  if (off + 4096 > buf.length) { writeSync(fd, buf, 0, off); off = 0; }
  off += buf.latin1Write(`{"op":"${c.op}"`, off);
  gb.copy(buf, off); off += gb.length;
  off += buf.utf8Write(identitiesJson(c.member.identities) + '}},', off);
}
writeSync(fd, buf, 0, off); closeSync(fd);
console.log('group bytes + 2 writes', performance.now() - t); t = performance.now();
}
