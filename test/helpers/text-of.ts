/**
 * What a command wrote to stdout, as text: JSON documents come as UTF-8 bytes, in chunks that each
 * hold whole characters (see Utf8Chunks in src/core/render/json-chunks.ts), the rest as text.
 */
export function textOf(chunk: string | Uint8Array): string {
  return typeof chunk === 'string' ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
}
