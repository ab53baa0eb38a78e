import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initRepository } from '../../src/init/init-repository.js';
import { BUILTIN_TYPE_NAMES } from '../../src/load/identity-types.js';

// The editor's view of schemas/group.schema.json: the real yaml-language-server (a dev dependency,
// the server behind VS Code's YAML extension), driven over stdio with LSP JSON-RPC, asked for
// completions inside a member. The schema is a local file and the schema store is off: no network.
const SCHEMA_URL = pathToFileURL(join(import.meta.dirname, '../../schemas/group.schema.json')).href;
const SERVER = join(dirname(createRequire(import.meta.url).resolve('yaml-language-server/package.json')), 'bin', 'yaml-language-server');

interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
}

/** A minimal LSP client: requests with ids, answers to the server's own requests. */
class LspClient {
  private readonly waiting = new Map<number, (m: Message) => void>();
  private buffer = Buffer.alloc(0);
  private nextId = 0;

  constructor(private readonly server: ChildProcess) {
    server.stdout!.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  request(method: string, params: unknown): Promise<Message> {
    const id = ++this.nextId;
    this.send({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(message: object): void {
    const body = JSON.stringify(message);
    this.server.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const head = this.buffer.indexOf('\r\n\r\n');
      if (head === -1) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, head).toString())?.[1]);
      if (this.buffer.length < head + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(head + 4, head + 4 + length).toString()) as Message;
      this.buffer = this.buffer.subarray(head + 4 + length);
      if (message.method !== undefined && message.id !== undefined) {
        // The server asks for its settings (workspace/configuration) and registers capabilities.
        const items = (message.params as { items?: unknown[] } | undefined)?.items ?? [];
        this.send({ jsonrpc: '2.0', id: message.id, result: message.method === 'workspace/configuration' ? items.map(() => SETTINGS.yaml) : null });
      } else if (message.id !== undefined) {
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
      }
    }
  }
}

const SETTINGS = { yaml: { completion: true, validate: true, hover: true, schemaStore: { enable: false } } };

let server: ChildProcess;
let client: LspClient;
let documents = 0;

beforeAll(async () => {
  server = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  client = new LspClient(server);
  await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } } } } });
  client.notify('initialized', {});
  client.notify('workspace/didChangeConfiguration', { settings: SETTINGS });
}, 60_000);

afterAll(() => {
  server?.kill();
});

/** The labels the server completes at (line, character) of a group file's text. */
async function completionsAt(lines: string[], line: number, character: number): Promise<string[]> {
  const uri = `file:///groupops-editor-test/groups/g${++documents}.yaml`;
  return completionsIn(uri, [`# yaml-language-server: $schema=${SCHEMA_URL}`, ...lines, ''].join('\n'), line, character);
}

/** The labels the server completes at (line, character) of the document `uri` holding `text`. */
async function completionsIn(uri: string, text: string, line: number, character: number): Promise<string[]> {
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const answer = await client.request('textDocument/completion', { textDocument: { uri }, position: { line, character } });
  const result = answer.result as { items?: { label: string }[] } | { label: string }[] | null;
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  return items.map((i) => i.label);
}

describe('yaml-language-server completes identity types from the group schema', () => {
  it('offers the built-in types (and the member fields) as keys inside a member', async () => {
    const labels = await completionsAt(['name: VIP', 'members:', '  - '], 3, 4);
    expect(labels).toEqual(expect.arrayContaining([...BUILTIN_TYPE_NAMES, 'platform', 'appid', 'isWeChatEcosystem']));
  }, 60_000);

  it('offers the built-in types as the type of a full-form identity', async () => {
    const labels = await completionsAt(['name: VIP', 'members:', '  - identities:', '      - type: '], 4, 14);
    expect(labels).toEqual(expect.arrayContaining([...BUILTIN_TYPE_NAMES]));
  }, 60_000);
});

describe('the editor wiring `groupops init` writes', () => {
  it('completes identity types in the example group file through its own modeline (../schemas/, copied into the repository)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'groupops-editor-init-'));
    try {
      await initRepository({ dir: '.', cwd: dir, force: false, branch: 'main' });
      const file = join(dir, 'groups', 'example.yaml');
      const written = await readFile(file, 'utf8');
      expect(written.split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/group.schema.json');
      // The user starts the first member where the example says to.
      expect(written).toContain('\nmembers: []\n');
      const text = written.replace('\nmembers: []\n', '\nmembers:\n  - \n');
      const line = text.split('\n').indexOf('  - ');
      const labels = await completionsIn(pathToFileURL(file).href, text, line, 4);
      expect(labels).toEqual(expect.arrayContaining([...BUILTIN_TYPE_NAMES, 'platform', 'appid', 'isWeChatEcosystem']));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
