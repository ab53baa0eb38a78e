import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InternalError } from '../errors/index.js';
import { decodeResult, type EncodedResult } from './group-encoding.js';
import type { GroupFileResult } from './group-file.js';
import type { GroupsLocation } from './member-files.js';
import type { ParseRequest, ParseResponse } from './parse-worker.js';

const WORKER_URL = new URL('./parse-worker.js', import.meta.url);

/** Bytes of group files below which starting workers costs more than it saves. */
export const POOL_MIN_BYTES = 1 << 20;

/**
 * Whether the pool can run: only from the built JavaScript (dist/), where parse-worker.js exists;
 * under vitest the sources are TypeScript and files are read in-process.
 */
export function workersAvailable(): boolean {
  return WORKER_URL.pathname.endsWith('.js') && import.meta.url.endsWith('.js') && existsSync(fileURLToPath(WORKER_URL));
}

/** Threads for parsing: GROUPOPS_PARSE_THREADS when set (1 turns the pool off), else one per core. */
export function parseThreads(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.GROUPOPS_PARSE_THREADS);
  return Number.isInteger(n) && n >= 1 ? n : availableParallelism();
}

/**
 * Reads group files on worker threads, biggest first in chunks so that a few huge files and many
 * small ones spread evenly; results come back in the order of `files`.
 */
export async function readInPool(where: GroupsLocation, files: readonly string[], sizes: readonly number[], threads: number): Promise<GroupFileResult[]> {
  const chunks = chunkFiles(files, sizes, threads);
  const results: GroupFileResult[] = new Array(files.length);
  const workers = Array.from({ length: Math.min(threads, chunks.length) }, () => new Worker(WORKER_URL));
  let next = 0;
  let id = 0;
  const drain = async (worker: Worker): Promise<void> => {
    let current = chunks[next++];
    let pending = current ? ask(worker, { id: id++, where, files: current.map((i) => files[i]!) }) : undefined;
    while (current && pending) {
      const encoded = await pending;
      const done = current;
      // Hand the worker its next chunk before decoding this one, so both run at once.
      current = chunks[next++];
      pending = current ? ask(worker, { id: id++, where, files: current.map((i) => files[i]!) }) : undefined;
      encoded.forEach((r, k) => {
        results[done[k]!] = decodeResult(r);
      });
    }
  };
  try {
    await Promise.all(workers.map(drain));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/** File indexes in chunks of similar size, largest files first. */
function chunkFiles(files: readonly string[], sizes: readonly number[], threads: number): number[][] {
  const order = files.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]!);
  const total = sizes.reduce((n, s) => n + s, 0);
  const target = Math.min(4 << 20, Math.max(256 << 10, Math.ceil(total / (threads * 8))));
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let bytes = 0;
  for (const i of order) {
    chunk.push(i);
    bytes += sizes[i]!;
    if (bytes >= target || chunk.length >= 64) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

function ask(worker: Worker, req: ParseRequest): Promise<EncodedResult[]> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (res: ParseResponse) => {
      cleanup();
      if ('error' in res) reject(new InternalError(`a parse worker failed: ${res.error}`));
      else resolve(res.results);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new InternalError(`a parse worker failed: ${err.message}`, { cause: err }));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new InternalError(`a parse worker stopped (exit code ${code})`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(req);
  });
}
