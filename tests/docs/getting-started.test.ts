import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../packages/core/test/helpers/chromium.js';
import { WireTap } from '../integration/helpers/wire-tap.js';
import { runInPage } from './helpers/browser-snippet.js';
import { bundleSnippet, REPO } from './helpers/from-source.js';
import { block, lineCount, type MarkedBlock, readMarkedBlocks } from './helpers/marked-blocks.js';
import { assertBuiltCli, type RunningSnippet, SnippetWorkspace } from './helpers/snippet-workspace.js';

/**
 * docs/getting-started.md, run as a reader runs it. The marked blocks are
 * read from the Markdown (never copied here): the CLI block makes the key
 * in a scratch directory, each server block runs there as its own Node
 * process, and the browser block is bundled and run in headless Chromium in
 * a page of the server's origin (@cipherlayer/* from the sources, as in
 * every other suite; the CLI is the built one, so `npm run build` first). Between the two sits a TCP tap, where a TLS
 * terminator or a proxy would be: the test reads every byte that crossed,
 * and what the page logged and the app echoed.
 */
const DOC = join(REPO, 'docs/getting-started.md');
const SERVERS = ['express-server', 'fastify-server', 'hono-server'] as const;

// The values the browser snippet sends and receives; they must never cross the wire readable.
const IBAN = 'DE89 3704 0044 0532 0130 00';
const SECRETS = [IBAN, 'DE89', '125.5', '2000.5', '"balance"', '"to"'];

const blocks = readMarkedBlocks(DOC);
let workspace: SnippetWorkspace;
let browser: Browser;
let bundle: string;
let cliPin: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function expectSucceeded(what: string, run: { code: number | null; stdout: string; stderr: string }): void {
  expect(run.code, `${what} failed:\n${run.stderr}${run.stdout}`).toBe(0);
}

beforeAll(async () => {
  await assertBuiltCli();
  workspace = await SnippetWorkspace.create();
  const keys = await workspace.shell(block(blocks, 'make-keys').code);
  expectSucceeded('the make-keys block', keys);
  cliPin = keys.stdout.trim().split('\n').at(-1) ?? '';
  const client = block(blocks, 'browser-client');
  await workspace.write('browser-client.mjs', client.code);
  [bundle, browser] = await Promise.all([
    bundleSnippet(workspace.dir, './browser-client.mjs', 'browser', 'globalThis.__snippetDone = true;'),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await workspace?.remove();
});

describe('the marked blocks', () => {
  it('are all there, in the language the page says, each server and the client under 20 lines', () => {
    expect([...blocks.keys()].sort()).toEqual(
      [
        'browser-client',
        'express-server',
        'fastify-server',
        'hono-server',
        'keys-in-code',
        'make-keys',
        'redis-engine',
      ].sort(),
    );
    expect(block(blocks, 'make-keys').lang).toBe('sh');
    for (const name of [...SERVERS, 'browser-client']) {
      const snippet = block(blocks, name);
      expect(snippet.lang, name).toBe('js');
      expect(lineCount(snippet), `${name} (line ${snippet.line})`).toBeLessThan(20);
    }
  });
});

describe('step 1: keys', () => {
  it('the CLI block writes a private key set readable by its owner only, and prints its pin', async () => {
    const file = await stat(join(workspace.dir, 'server-keys.json'));
    expect(file.mode & 0o777).toBe(0o600);
    expect(cliPin).toMatch(/^sha256\/[A-Za-z0-9+/]{43}=$/);
  });

  it('the in-code block writes the same kind of file, whose pin the CLI computes alike', async () => {
    const code = block(blocks, 'keys-in-code').code;
    const own = await SnippetWorkspace.create();
    try {
      const file = await own.prepare('make-keys', code);
      const run = await own.node(file);
      expectSucceeded('the keys-in-code block', run);
      const printed = run.stdout.trim();
      expect(printed).toMatch(/^sha256\/[A-Za-z0-9+/]{43}=$/);
      expect(printed).not.toBe(cliPin);
      expect((await stat(join(own.dir, 'server-keys.json'))).mode & 0o777).toBe(0o600);
      const pins = await own.shell('npx cipherlayer keys pin server-keys.json');
      expectSucceeded('cipherlayer keys pin', pins);
      expect(pins.stdout.trim()).toBe(printed);
      // 'wx': running it again never replaces a key.
      expect((await own.node(file)).code).not.toBe(0);
    } finally {
      await own.remove();
    }
  });
});

/**
 * Runs one server snippet behind a tap, runs the browser snippet against
 * it, and checks the page's results, the app's echo, and the bytes.
 */
async function journey(
  name: string,
  code: string,
  env: Record<string, string> = {},
): Promise<{ tap: WireTap; logs: unknown[][] }> {
  const file = await workspace.prepare(name, code);
  let server: RunningSnippet | undefined;
  let tap: WireTap | undefined;
  try {
    server = await workspace.serve(file, await freePort(), env);
    tap = await WireTap.start(server.origin);

    // The server publishes the key the CLI made, and refuses plaintext before the app runs.
    const discovery = (await (await fetch(`${server.origin}/.well-known/cipherlayer`)).json()) as {
      keys: { pin: string }[];
    };
    expect(discovery.keys.map((k) => k.pin)).toEqual([cliPin]);
    const plain = await fetch(`${server.origin}/api/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1, to: IBAN }),
    });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('ERR_PLAINTEXT_REJECTED');
    expect((await fetch(`${server.origin}/api/balance`)).status).toBe(415);

    const { logs, problems } = await runInPage(browser, tap.origin, bundle);
    expect(problems).toEqual([]);
    // What the page's code got: decrypted, and the transfer's `to` echoed by the app, which read it in the clear.
    expect(logs).toEqual([
      [201, { ok: true, to: IBAN }],
      [200, { balance: 2000.5 }],
    ]);

    // What crossed the socket: cl1 messages only, in both directions.
    tap.expectNoneOf(SECRETS);
    const [transfer, ...more] = tap.find('POST', '/api/transfer');
    expect(more).toEqual([]);
    expect(transfer?.request.headers['content-type']).toBe('application/cipherlayer');
    expect(transfer?.request.body.subarray(0, 2)).toEqual(Buffer.from([0xc1, 0x05])); // a session request
    expect(transfer?.response?.status).toBe(201);
    expect(transfer?.response?.headers['content-type']).toBe('application/cipherlayer');
    const [balance] = tap.find('GET', '/api/balance');
    expect(balance?.request.headers.cipherlayer).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(balance?.request.body.length).toBe(0);
    expect(balance?.response?.headers['content-type']).toBe('application/cipherlayer');
    expect(tap.find('POST', '/.well-known/cipherlayer/session')).toHaveLength(1); // one handshake
    expect(tap.find('DELETE', '/.well-known/cipherlayer/session').map((e) => e.response?.status)).toEqual([
      200,
    ]);
    return { tap, logs };
  } catch (error) {
    const output = await server?.stop();
    if (output !== undefined && (output.stderr !== '' || output.stdout !== ''))
      (error as Error).message += `\n${name}.mjs printed:\n${output.stderr}${output.stdout}`;
    throw error;
  } finally {
    await tap?.close();
    await server?.stop();
  }
}

describe.each(SERVERS)('step 2 and 3: the %s block with the browser-client block', (name) => {
  it('the page gets plaintext, the app reads plaintext, the wire carries ciphertext only', async () => {
    await journey(name, block(blocks, name).code);
  });
});

describe('the fastify block', () => {
  it("answers its 'off' route in plaintext, and nothing else", async () => {
    const server = await workspace.serve(
      await workspace.prepare('fastify-health', block(blocks, 'fastify-server').code),
      await freePort(),
    );
    try {
      const health = await fetch(`${server.origin}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ up: true });
      expect((await fetch(`${server.origin}/api/balance`)).status).toBe(415);
    } finally {
      await server.stop();
    }
  });
});

/** The Express block with its `const engine = …` line replaced by the Redis block, as step 4 says. */
function withRedisEngine(server: MarkedBlock, redis: MarkedBlock): string {
  const lines = server.code.split('\n');
  const at = lines.findIndex((line) => line.startsWith('const engine = '));
  expect(at, 'the express block has a `const engine = …` line').toBeGreaterThan(0);
  lines.splice(at, 1, redis.code.trimEnd());
  return lines.join('\n');
}

describe('step 4: the redis-engine block in the express block', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  });
  afterAll(async () => {
    await redis?.quit();
  });

  it('keeps the session in Redis, sealed, and revokes it there at logout', async () => {
    const storeKey = randomBytes(32).toString('base64');
    const code = withRedisEngine(block(blocks, 'express-server'), block(blocks, 'redis-engine'));
    const { tap } = await journey('express-redis', code, {
      REDIS_URL: 'redis://127.0.0.1:6379',
      CIPHERLAYER_STORE_KEY: storeKey,
    });
    // The session id is in the clear in every session request (spec/protocol.md, 4.3): bytes 2 to 18.
    const [transfer] = tap.find('POST', '/api/transfer');
    const sessionId = transfer!.request.body.subarray(2, 18).toString('base64url');
    const stored = await redis.hgetall(`cipherlayer:session:{${sessionId}}`);
    expect(stored.revoked).toBe('1');
    expect(stored.keys).toBeUndefined(); // erased at revocation
    await redis.del(`cipherlayer:session:{${sessionId}}`);
  });
});
