import { parentPort } from 'node:worker_threads';
import { encodeResult, transferablesOf, type EncodedResult } from './group-encoding.js';
import { loadGroupFile } from './load-group-file.js';
import type { GroupsLocation } from './member-files.js';

/** A request to a parse worker: read these group files (paths relative to `where.cwd`). */
export interface ParseRequest {
  readonly id: number;
  readonly where: GroupsLocation;
  readonly files: readonly string[];
}

/** A worker's answer: one encoded result per requested file, in order; or why it failed. */
export type ParseResponse = { readonly id: number; readonly results: EncodedResult[] } | { readonly id: number; readonly error: string };

// The worker entry: parse-pool.ts starts this file (from dist/) on worker threads.
parentPort?.on('message', (req: ParseRequest) => {
  try {
    const results = req.files.map((file) => encodeResult(loadGroupFile(req.where, file)));
    parentPort!.postMessage({ id: req.id, results } satisfies ParseResponse, results.flatMap(transferablesOf));
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies ParseResponse);
  }
});
