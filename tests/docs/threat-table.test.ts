import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@cipherlayer/client';
import { generateServerKey, runFlow, ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { generateJweKeyPair, JweKeySet, jwe } from '@cipherlayer/profiles/jwe';
import { createJweClient } from '@cipherlayer/profiles/jwe/client';
import { RsaKeyPool, rsaSession } from '@cipherlayer/profiles/rsa-session';
import { createRsaSessionClient } from '@cipherlayer/profiles/rsa-session/client';
import { StaticKeySessions, staticKey } from '@cipherlayer/profiles/static-key';
import {
  createStaticKeyFetch,
  deriveSessionKeyFromLogin,
  importStaticKey,
} from '@cipherlayer/profiles/static-key/browser';
import { createCipherlayer } from '@cipherlayer/server';
import { cipherlayer } from '@cipherlayer/server/express';
import express, { type Request as ExpressRequest } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Three rows of docs/how-it-works.md's threat tables, played against the
 * real server engine and each protocol's own client, so that every "yes"
 * and every "no" there is a measured fact: an attacker on the path (a
 * transport that records, resends, diverts and substitutes) tries
 *
 * - replay: the recorded transfer sent again, byte for byte;
 * - response swapped: an earlier answer (balance 1) handed to the client
 *   in place of the current one (balance 3);
 * - request moved: the transfer delivered to another route.
 *
 * Accepted or refused is read where it matters: how many times the
 * handler ran, and what the client's caller got.
 */
type Verdict = 'accepted' | 'refused';
type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

interface Expected {
  readonly replay: Verdict;
  readonly swap: Verdict;
  readonly move: Verdict;
  /** A plaintext answer substituted for the sealed one. */
  readonly strip: Verdict;
}

interface Recorded {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: Uint8Array<ArrayBuffer>;
  response?: { status: number; headers: Headers; body: Uint8Array<ArrayBuffer> };
}

/** The path between the client and the server, in the attacker's hands. */
class AttackerInTheMiddle {
  readonly log: Recorded[] = [];
  /** One-shot: hand the client this answer instead of the server's. */
  substitute: Recorded['response'] | undefined;
  /** One-shot: deliver the next request for `from` to `to` instead. */
  divert: { from: string; to: string } | undefined;

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const body = new Uint8Array(await request.arrayBuffer());
    let url = request.url;
    if (this.divert !== undefined && new URL(url).pathname === this.divert.from) {
      url = url.replace(this.divert.from, this.divert.to);
      this.divert = undefined;
    }
    const seen: Recorded = { url, method: request.method, headers: new Headers(request.headers), body };
    this.log.push(seen);
    const answer = await fetch(url, {
      method: request.method,
      headers: request.headers,
      ...(body.length > 0 ? { body } : {}),
    });
    seen.response = {
      status: answer.status,
      headers: new Headers(answer.headers),
      body: new Uint8Array(await answer.arrayBuffer()),
    };
    const given = this.substitute ?? seen.response;
    this.substitute = undefined;
    return new Response(given.body.length > 0 ? given.body : null, {
      status: given.status,
      headers: given.headers,
    });
  };

  last(method: string, path: string): Recorded {
    const found = [...this.log]
      .reverse()
      .find((r) => r.method === method && new URL(r.url).pathname === path);
    if (found === undefined) throw new Error(`no ${method} ${path} was seen`);
    return found;
  }
}

interface Protocol {
  readonly name: string;
  readonly expected: Expected;
  /** The server's protection, and the client (a fetch) that speaks it through `path`. */
  setup(
    path: AttackerInTheMiddle,
    baseUrl: () => string,
  ): Promise<{
    protection: Parameters<typeof cipherlayer>[0];
    client: () => Fetch;
  }>;
}

const pools: RsaKeyPool[] = [];

const cl1 = (mode: 'session' | 'stateless'): Protocol => ({
  name: `cl1, ${mode} mode`,
  expected: { replay: 'refused', swap: 'refused', move: 'refused', strip: 'refused' },
  async setup(path, baseUrl) {
    const keys = new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 1 }))]);
    return {
      protection: createCipherlayer<ExpressRequest>({ keys }),
      client: () => createClient({ baseUrl: baseUrl(), mode, fetch: path.fetch }),
    };
  },
});

const rsa = (mode: 'compatible' | 'strict'): Protocol => ({
  name: `rsa-session (seed 001), ${mode} mode`,
  expected:
    mode === 'strict'
      ? { replay: 'refused', swap: 'refused', move: 'refused', strip: 'refused' }
      : { replay: 'accepted', swap: 'refused', move: 'accepted', strip: 'refused' },
  async setup(path, baseUrl) {
    // A key ready before the first session, and time enough to make another on a busy machine.
    const pool = new RsaKeyPool({ size: 1, lowWater: 1, waitMs: 60_000 });
    pools.push(pool);
    await pool.filled();
    return {
      protection: rsaSession<ExpressRequest>({ jwtSecret: randomBytes(32), mode, pool }),
      client: () =>
        createRsaSessionClient({ baseUrl: baseUrl(), deviceId: 'device-1', mode, fetch: path.fetch }),
    };
  },
});

const staticKeyed: Protocol = {
  name: "static-key (seed 002), the seed's static key",
  expected: { replay: 'accepted', swap: 'accepted', move: 'accepted', strip: 'refused' },
  async setup(path, baseUrl) {
    const hex = randomBytes(32).toString('hex');
    const key = await importStaticKey(hex);
    return {
      protection: staticKey<ExpressRequest>({ key: hex }),
      client: () => createStaticKeyFetch({ key, baseUrl: baseUrl(), fetch: path.fetch }),
    };
  },
};

const perLogin: Protocol = {
  name: 'static-key (seed 002), per-login key',
  expected: { replay: 'refused', swap: 'accepted', move: 'accepted', strip: 'refused' },
  async setup(path, baseUrl) {
    const sessions = new StaticKeySessions({ iterations: 100_000 });
    const grant = await sessions.grant({ keyId: 'login-1', password: 'correct horse' });
    const key = await deriveSessionKeyFromLogin('correct horse', grant, { minIterations: 100_000 });
    return {
      protection: staticKey<ExpressRequest>({ sessions, keyId: (request) => request.get('x-login') }),
      client: () =>
        createStaticKeyFetch({
          key,
          baseUrl: baseUrl(),
          fetch: path.fetch,
          headers: { 'x-login': 'login-1' },
        }),
    };
  },
};

const jweProtocol = (mode: 'compatible' | 'strict'): Protocol => ({
  name: `jwe (seed 004), ${mode} mode${mode === 'strict' ? ', sealed answers' : ', answers in the clear'}`,
  expected:
    mode === 'strict'
      ? { replay: 'refused', swap: 'refused', move: 'refused', strip: 'refused' }
      : { replay: 'accepted', swap: 'accepted', move: 'accepted', strip: 'accepted' },
  async setup(path, baseUrl) {
    const pair = await generateJweKeyPair('P-256');
    return {
      protection: jwe<ExpressRequest>({
        keys: await JweKeySet.from([{ privateKey: pair.privateKey }]),
        mode,
      }),
      client: () =>
        createJweClient({
          baseUrl: baseUrl(),
          serverKey: pair.publicKey,
          mode,
          responses: mode === 'strict',
          fetch: path.fetch,
        }),
    };
  },
});

const PROTOCOLS: readonly Protocol[] = [
  cl1('session'),
  cl1('stateless'),
  rsa('compatible'),
  rsa('strict'),
  staticKeyed,
  perLogin,
  jweProtocol('compatible'),
  jweProtocol('strict'),
];

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
});

describe.each(PROTOCOLS)('$name', (protocol) => {
  const path = new AttackerInTheMiddle();
  const runs = { transfer: 0, payee: 0 };
  let balance = 0;
  let server: Server;
  let origin = '';
  let api: Fetch;

  beforeAll(async () => {
    const { protection, client } = await protocol.setup(path, () => origin);
    const app = express();
    app.use(cipherlayer(protection));
    app.post('/api/transfer', (req, res) => {
      runs.transfer++;
      res.status(201).json({ ok: true, to: req.body.to });
    });
    app.post('/api/payee', (req, res) => {
      runs.payee++;
      res.status(201).json({ ok: true, payee: req.body.to });
    });
    // A POST: seed 004 encrypts request payloads only, so a GET has nothing to seal there.
    app.post('/api/balance', (req, res) => {
      balance++;
      res.json({ account: req.body.account, balance });
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    api = client();
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  const transfer = (to: string) =>
    api('/api/transfer', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 125.5, to }),
    });

  const askBalance = () =>
    api('/api/balance', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'main' }),
    });

  it(`replay: ${protocol.expected.replay}`, async () => {
    const first = await transfer('DE89 3704 0044 0532 0130 00');
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ ok: true, to: 'DE89 3704 0044 0532 0130 00' });
    const before = runs.transfer;
    const sent = path.last('POST', '/api/transfer');
    const again = await fetch(sent.url, { method: 'POST', headers: sent.headers, body: sent.body });
    const verdict: Verdict = runs.transfer > before ? 'accepted' : 'refused';
    expect(verdict).toBe(protocol.expected.replay);
    if (verdict === 'refused') expect(again.status).toBeGreaterThanOrEqual(400);
  });

  it(`response swapped for an earlier one: ${protocol.expected.swap}`, async () => {
    const first = await (await askBalance()).json();
    expect(first).toEqual({ account: 'main', balance: 1 });
    const earlier = path.last('POST', '/api/balance').response;
    expect(await (await askBalance()).json()).toEqual({ account: 'main', balance: 2 });
    path.substitute = earlier;
    let verdict: Verdict;
    try {
      const current = await askBalance();
      // The caller got yesterday's balance as today's.
      expect(await current.json()).toEqual(first);
      verdict = 'accepted';
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ERR_DECRYPT');
      verdict = 'refused';
    }
    expect(path.substitute).toBeUndefined();
    expect(verdict).toBe(protocol.expected.swap);
  });

  it(`request moved to another route: ${protocol.expected.move}`, async () => {
    path.divert = { from: '/api/transfer', to: '/api/payee' };
    const before = { ...runs };
    const answer = await transfer('GB33 BUKB 2020 1555 5555 55').catch((error: unknown) => error);
    expect(path.divert).toBeUndefined();
    expect(runs.transfer).toBe(before.transfer);
    const verdict: Verdict = runs.payee > before.payee ? 'accepted' : 'refused';
    expect(verdict).toBe(protocol.expected.move);
    if (verdict === 'accepted')
      expect(await (answer as Response).json()).toEqual({ ok: true, payee: 'GB33 BUKB 2020 1555 5555 55' });
  });

  it(`downgrade: a plaintext request is refused by the route; a plaintext answer is ${protocol.expected.strip}`, async () => {
    const before = runs.transfer;
    const plain = await fetch(`${origin}/api/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1, to: 'plaintext' }),
    });
    // 415 for cl1 and most profiles; 422 for jwe, which answers as seed 004 does.
    expect([415, 422]).toContain(plain.status);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('ERR_PLAINTEXT_REJECTED');
    expect(runs.transfer).toBe(before);

    path.substitute = {
      status: 200,
      headers: new Headers({ 'content-type': 'application/json' }),
      body: new TextEncoder().encode(JSON.stringify({ account: 'main', balance: 999_999 })),
    };
    let verdict: Verdict;
    try {
      expect(await (await askBalance()).json()).toEqual({ account: 'main', balance: 999_999 });
      verdict = 'accepted';
    } catch (error) {
      expect((error as { code?: string }).code).toMatch(/^ERR_(PLAINTEXT_REJECTED|DECRYPT|MALFORMED)$/);
      verdict = 'refused';
    }
    expect(verdict).toBe(protocol.expected.strip);
  });
});
