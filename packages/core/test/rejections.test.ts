import { beforeEach, describe, expect, it } from 'vitest';
import { ClientProtocol, type ClientSession } from '../src/cl1/client.js';
import { fromJsonMessage, parseJsonMessage, toJsonMessage } from '../src/cl1/json.js';
import { maxJsonMessageLength } from '../src/cl1/limits.js';
import { ServerProtocol, type SessionOptions } from '../src/cl1/server.js';
import { P256_SHA256_AES256GCM, type Suite, X25519_SHA256_AES256GCM } from '../src/hpke/suites.js';
import { ServerKeySet } from '../src/keys/key-set.js';
import { publicKeyPin } from '../src/keys/pin.js';
import { generateServerKey, type ServerKey } from '../src/keys/server-key.js';
import type { CryptoBackend } from '../src/lib/backend.js';
import { concat, fromBase64Url, toBase64, toBase64Url, toHex, utf8 } from '../src/lib/bytes.js';
import { CipherlayerError, type ErrorCode, errorRegistry } from '../src/lib/errors.js';
import { attempt, backends, run } from './helpers/backends.js';

/**
 * Every way ServerProtocol (and the client, for pins) refuses a message:
 * the documented code, the registry's HTTP status and fixed message, and
 * nothing secret in anything the error prints or serialises.
 */

const START = Date.UTC(2031, 4, 1, 12, 0, 0);
const SKEW = 30_000;
const ROUTE = { method: 'POST', target: '/api/transfer?from=1' };
const HANDSHAKE = { method: 'POST', target: '/.well-known/cipherlayer/session' };

class ManualClock {
  constructor(public time = START) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

// What must never appear in an error: plaintexts, private keys, session ids and session keys.
const secrets: string[] = [];
beforeEach(() => {
  secrets.length = 0;
});

function rememberSecret(...values: string[]): void {
  for (const value of values) if (value.length >= 6) secrets.push(value);
}

function rememberBytes(bytes: Uint8Array): void {
  rememberSecret(toBase64Url(bytes), toBase64(bytes), toHex(bytes), String.fromCharCode(...bytes));
}

function rememberKeys(keys: ServerKeySet): void {
  for (const jwk of keys.toPrivateDocument().keys) rememberSecret(jwk.d);
}

let bodies = 0;
/** A request body with a distinctive plaintext, remembered as a secret. */
function secretBody(): { contentType: string; body: Uint8Array } {
  const marker = `IBAN DE89 3704 0044 0532 ${String(1000 + bodies++)} PIN-4711`;
  rememberSecret(marker, 'DE89 3704 0044');
  return { contentType: 'application/json', body: utf8(JSON.stringify({ to: marker, amount: 125 })) };
}

function expectNoLeak(error: CipherlayerError): void {
  const printed = [String(error), error.message, JSON.stringify(error.toJSON()), error.stack ?? ''];
  for (const text of printed) for (const secret of secrets) expect(text).not.toContain(secret);
}

/** Runs `fn`, expects the rejection `code` with its registry status and message, and no leak. */
async function rejected(fn: () => unknown, code: ErrorCode): Promise<CipherlayerError> {
  const outcome = await attempt(fn).then(
    () => ({ accepted: true as const }),
    (error: unknown) => ({ accepted: false as const, error }),
  );
  if (outcome.accepted) expect.fail(`accepted; expected ${code}`);
  const error = outcome.error;
  expect(error).toBeInstanceOf(CipherlayerError);
  const e = error as CipherlayerError;
  expect(e.code).toBe(code);
  expect(e.status).toBe(errorRegistry[code].status);
  expect(e.message).toBe(errorRegistry[code].message);
  expect(e.toJSON()).toEqual({ error: { code, message: errorRegistry[code].message } });
  expect(secrets.length, 'the leak check has secrets to look for').toBeGreaterThan(0);
  expectNoLeak(e);
  return e;
}

interface WorldOptions {
  suite?: Suite;
  suites?: readonly Suite[];
  keys?: readonly ServerKey[];
  session?: SessionOptions;
  maxBodyBytes?: number;
}

async function world(backend: CryptoBackend, options: WorldOptions = {}) {
  const clock = new ManualClock();
  const keys = new ServerKeySet(
    options.keys ?? [
      await run(backend, generateServerKey({ keyId: 7, suite: options.suite ?? X25519_SHA256_AES256GCM })),
    ],
  );
  rememberKeys(keys);
  const server = new ServerProtocol({
    backend,
    keys,
    clock: clock.now,
    ...(options.suites === undefined ? {} : { suites: options.suites }),
    ...(options.session === undefined ? {} : { session: options.session }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  });
  const client = await ClientProtocol.create({
    backend,
    discovery: await server.discovery(),
    clock: clock.now,
  });
  return { backend, clock, keys, server, client };
}
type World = Awaited<ReturnType<typeof world>>;

async function handshake(w: World, attributes: Record<string, string> = {}): Promise<ClientSession> {
  const hello = await w.client.startHandshake(HANDSHAKE);
  const accepted = await w.server.handshake(hello.message, HANDSHAKE, attributes);
  rememberBytes(accepted.sessionId);
  const record = await w.server.sessions.load(accepted.sessionId);
  if (typeof record === 'object') {
    for (const part of [record.record.material.c2sKey, record.record.material.s2cKey]) rememberBytes(part);
  }
  return await hello.finish(accepted.response, 200);
}

async function sealSession(session: ClientSession) {
  return await session.sealRequest(ROUTE, secretBody());
}

/** The session request with its counter field (bytes 18..26) rewritten, as an attacker can. */
function withCounter(message: Uint8Array, counter: number): Uint8Array {
  const copy = message.slice();
  const view = new DataView(copy.buffer);
  view.setUint32(18, Math.floor(counter / 2 ** 32));
  view.setUint32(22, counter >>> 0);
  return copy;
}

describe('the rejection checker itself', () => {
  it('catches a secret in an error and a wrong code', async () => {
    rememberSecret('IBAN DE89 3704 0044 0532 0130 00');
    const leaky = new CipherlayerError('ERR_CONFIG', { detail: 'IBAN DE89 3704 0044 0532 0130 00' });
    expect(() => expectNoLeak(leaky)).toThrow();
    await expect(rejected(() => Promise.reject(leaky), 'ERR_CONFIG')).rejects.toThrow();
    await expect(
      rejected(() => Promise.reject(new CipherlayerError('ERR_MALFORMED')), 'ERR_DECRYPT'),
    ).rejects.toThrow();
    await expect(rejected(() => 'accepted', 'ERR_DECRYPT')).rejects.toThrow(/accepted/);
    await expect(rejected(() => Promise.reject(new Error('x')), 'ERR_DECRYPT')).rejects.toThrow();
  });
});

describe.each(backends)('rejections (%s)', (_name, backend) => {
  describe('stateless replay and freshness', () => {
    it('a replayed stateless request is ERR_REPLAY (409), also at the last instant of the window', async () => {
      const w = await world(backend);
      const sealed = await w.client.sealRequest(ROUTE, secretBody());
      await w.server.openRequest(sealed.message, ROUTE);
      const error = await rejected(() => w.server.openRequest(sealed.message, ROUTE), 'ERR_REPLAY');
      expect(error.status).toBe(409);
      w.clock.advance(SKEW);
      await rejected(() => w.server.openRequest(sealed.message, ROUTE), 'ERR_REPLAY');
      w.clock.advance(1);
      await rejected(() => w.server.openRequest(sealed.message, ROUTE), 'ERR_STALE');
    });

    it('a request first opened at the edge of the window cannot be replayed at that same instant', async () => {
      const w = await world(backend);
      const sealed = await w.client.sealRequest(ROUTE, secretBody());
      w.clock.advance(SKEW);
      await w.server.openRequest(sealed.message, ROUTE);
      await rejected(() => w.server.openRequest(sealed.message, ROUTE), 'ERR_REPLAY');
    });

    it('a replayed handshake is ERR_REPLAY', async () => {
      const w = await world(backend);
      const hello = await w.client.startHandshake(HANDSHAKE);
      await w.server.handshake(hello.message, HANDSHAKE);
      await rejected(() => w.server.handshake(hello.message, HANDSHAKE), 'ERR_REPLAY');
    });

    it.each([
      ['behind', -1],
      ['ahead of', 1],
    ])("a timestamp %s the server's clock by more than the skew is ERR_STALE", async (_dir, sign) => {
      const w = await world(backend);
      w.client.clockOffsetMs = sign * (SKEW + 1);
      const late = await w.client.sealRequest(ROUTE, secretBody());
      const error = await rejected(() => w.server.openRequest(late.message, ROUTE), 'ERR_STALE');
      expect(error.status).toBe(400);
      const hello = await w.client.startHandshake(HANDSHAKE);
      await rejected(() => w.server.handshake(hello.message, HANDSHAKE), 'ERR_STALE');
      // Exactly the skew is still accepted.
      w.client.clockOffsetMs = sign * SKEW;
      const edge = await w.client.sealRequest(ROUTE, secretBody());
      expect((await w.server.openRequest(edge.message, ROUTE)).kind).toBe('stateless');
    });
  });

  describe('sessions', () => {
    it('a replayed session counter is ERR_REPLAY', async () => {
      const w = await world(backend);
      const session = await handshake(w);
      const first = await sealSession(session);
      await w.server.openRequest(first.message, ROUTE);
      const error = await rejected(() => w.server.openRequest(first.message, ROUTE), 'ERR_REPLAY');
      expect(error.status).toBe(409);
    });

    it('a counter older than the window is ERR_REPLAY, the oldest one inside still opens', async () => {
      const w = await world(backend, { session: { windowSize: 64 } });
      const session = await handshake(w);
      const sealed: Awaited<ReturnType<typeof sealSession>>[] = [];
      for (let i = 0; i < 70; i++) sealed.push(await sealSession(session));
      await w.server.openRequest(sealed[69]!.message, ROUTE);
      await rejected(() => w.server.openRequest(sealed[5]!.message, ROUTE), 'ERR_REPLAY');
      await rejected(() => w.server.openRequest(sealed[0]!.message, ROUTE), 'ERR_REPLAY');
      expect((await w.server.openRequest(sealed[6]!.message, ROUTE)).kind).toBe('session');
      await rejected(() => w.server.openRequest(sealed[6]!.message, ROUTE), 'ERR_REPLAY');
    });

    it('an expired session is ERR_SESSION_EXPIRED (401), on the server and on the client', async () => {
      const w = await world(backend, { session: { ttlMs: 60_000 } });
      const session = await handshake(w);
      const inTime = await sealSession(session);
      const late = await sealSession(session);
      w.clock.advance(59_999);
      await w.server.openRequest(inTime.message, ROUTE);
      w.clock.advance(1);
      const error = await rejected(() => w.server.openRequest(late.message, ROUTE), 'ERR_SESSION_EXPIRED');
      expect(error.status).toBe(401);
      // And it stays expired: later requests get the same answer.
      await rejected(() => w.server.openRequest(late.message, ROUTE), 'ERR_SESSION_EXPIRED');
      expect(session.usable).toBe(false);
      await rejected(() => session.sealRequest(ROUTE, secretBody()), 'ERR_SESSION_EXPIRED');
    });

    it('a revoked session is ERR_SESSION_REVOKED', async () => {
      const w = await world(backend);
      const session = await handshake(w);
      const first = await sealSession(session);
      await w.server.openRequest(first.message, ROUTE);
      await w.server.revokeSession(session.sessionId);
      const second = await sealSession(session);
      await rejected(() => w.server.openRequest(second.message, ROUTE), 'ERR_SESSION_REVOKED');
    });

    it('an unknown session is ERR_SESSION_UNKNOWN (another server, or a made-up id)', async () => {
      const w = await world(backend);
      const session = await handshake(w);
      const sealed = await sealSession(session);
      const other = new ServerProtocol({ backend, keys: w.keys, clock: w.clock.now });
      await rejected(() => other.openRequest(sealed.message, ROUTE), 'ERR_SESSION_UNKNOWN');
      const madeUp = sealed.message.slice();
      madeUp.fill(0xab, 2, 18);
      await rejected(() => w.server.openRequest(madeUp, ROUTE), 'ERR_SESSION_UNKNOWN');
    });

    it('the message limit is ERR_SESSION_LIMIT, on the client and before any crypto on the server', async () => {
      const w = await world(backend, { session: { maxMessages: 3 } });
      const session = await handshake(w);
      expect(session.grant.maxMessages).toBe(3);
      const sealed: Awaited<ReturnType<typeof sealSession>>[] = [];
      for (let i = 0; i < 3; i++) sealed.push(await sealSession(session));
      for (const s of sealed) await w.server.openRequest(s.message, ROUTE);
      await rejected(() => session.sealRequest(ROUTE, secretBody()), 'ERR_SESSION_LIMIT');
      const forged = withCounter(sealed[2]!.message, 3);
      const error = await rejected(() => w.server.openRequest(forged, ROUTE), 'ERR_SESSION_LIMIT');
      expect(error.status).toBe(401);
      await rejected(() => w.server.openRequest(withCounter(forged, 2 ** 40), ROUTE), 'ERR_SESSION_LIMIT');
    });

    it('other binding attributes are ERR_SESSION_BINDING, and do not use up the counter', async () => {
      const w = await world(backend);
      const session = await handshake(w, { ip: '1.1.1.1' });
      const sealed = await sealSession(session);
      await rejected(
        () => w.server.openRequest(sealed.message, ROUTE, { attributes: { ip: '2.2.2.2' } }),
        'ERR_SESSION_BINDING',
      );
      await rejected(() => w.server.openRequest(sealed.message, ROUTE), 'ERR_SESSION_BINDING');
      await rejected(
        () => w.server.openRequest(sealed.message, ROUTE, { attributes: { IP: '1.1.1.1' } }),
        'ERR_SESSION_BINDING',
      );
      const opened = await w.server.openRequest(sealed.message, ROUTE, {
        attributes: { ip: '1.1.1.1', extra: 'ignored' },
      });
      expect(opened.kind === 'session' && opened.attributes).toEqual({ ip: '1.1.1.1' });
    });
  });

  describe('keys', () => {
    it('an unknown key id is ERR_UNKNOWN_KEY (422)', async () => {
      const w = await world(backend);
      const sealed = await w.client.sealRequest(ROUTE, secretBody());
      const hello = await w.client.startHandshake(HANDSHAKE);
      const other = await run(backend, generateServerKey({ keyId: 9 }));
      w.server.setKeys(new ServerKeySet([other]));
      rememberKeys(w.server.keys);
      const error = await rejected(() => w.server.openRequest(sealed.message, ROUTE), 'ERR_UNKNOWN_KEY');
      expect(error.status).toBe(422);
      await rejected(() => w.server.handshake(hello.message, HANDSHAKE), 'ERR_UNKNOWN_KEY');
    });

    it('an expired key is ERR_KEY_EXPIRED (422), and so is a key not valid yet', async () => {
      const expiring = await run(backend, generateServerKey({ keyId: 1, notAfter: START + 3_600_000 }));
      const future = await run(backend, generateServerKey({ keyId: 2, notBefore: START + 3_600_000 }));
      const always = await run(backend, generateServerKey({ keyId: 3, notBefore: START - 1 }));
      const w = await world(backend, { keys: [expiring, future, always] });
      expect(w.client.key.keyId).toBe(3);
      // A client whose clock runs two hours ahead picks key 2, not valid yet for the server.
      const earlyClock = new ManualClock(START + 7_200_000);
      const early = await ClientProtocol.create({
        backend,
        discovery: await w.server.discovery(),
        clock: earlyClock.now,
      });
      expect(early.key.keyId).toBe(2);
      early.clockOffsetMs = -7_200_000; // its timestamps agree with the server
      const tooEarly = await early.sealRequest(ROUTE, secretBody());
      const error = await rejected(() => w.server.openRequest(tooEarly.message, ROUTE), 'ERR_KEY_EXPIRED');
      expect(error.status).toBe(422);

      const pinnedToOne = await ClientProtocol.create({
        backend,
        discovery: await w.server.discovery(),
        clock: w.clock.now,
        pins: [await run(backend, publicKeyPin('X25519', expiring.publicKey))],
      });
      expect(pinnedToOne.key.keyId).toBe(1);
      const beforeExpiry = await pinnedToOne.sealRequest(ROUTE, secretBody());
      await w.server.openRequest(beforeExpiry.message, ROUTE);
      w.clock.advance(3_600_000);
      const afterExpiry = await pinnedToOne.sealRequest(ROUTE, secretBody());
      await rejected(() => w.server.openRequest(afterExpiry.message, ROUTE), 'ERR_KEY_EXPIRED');
      const hello = await pinnedToOne.startHandshake(HANDSHAKE);
      await rejected(() => w.server.handshake(hello.message, HANDSHAKE), 'ERR_KEY_EXPIRED');
      // A client that only has expired keys to choose from refuses to start.
      await rejected(
        () =>
          ClientProtocol.create({
            backend,
            discovery: { protocol: 'cl1', keys: [expiring.toPublicJwk()] },
            clock: w.clock.now,
          }),
        'ERR_KEY_EXPIRED',
      );
    });

    it('rotation: old-key requests open until the old notAfter, new clients pick the new key', async () => {
      const oldKey = await run(backend, generateServerKey({ keyId: 1, notAfter: START + 600_000 }));
      const w = await world(backend, { keys: [oldKey] });
      const oldClient = w.client;
      expect(oldClient.key.keyId).toBe(1);
      const newKey = await run(backend, generateServerKey({ keyId: 2, notBefore: START + 60_000 }));
      w.server.setKeys(w.server.keys.withKey(newKey, w.clock.now()));
      rememberKeys(w.server.keys);
      // Published ahead of time, not used before its notBefore.
      expect((await w.server.discovery()).keys.map((k) => k.kid)).toEqual(['2', '1']);
      const early = await ClientProtocol.create({
        backend,
        discovery: await w.server.discovery(),
        clock: w.clock.now,
      });
      expect(early.key.keyId).toBe(1);
      w.clock.advance(60_000);
      const fresh = await ClientProtocol.create({
        backend,
        discovery: await w.server.discovery(),
        clock: w.clock.now,
      });
      expect(fresh.key.keyId).toBe(2);
      const viaNew = await fresh.sealRequest(ROUTE, secretBody());
      expect((await w.server.openRequest(viaNew.message, ROUTE)).kind).toBe('stateless');
      w.clock.advance(600_000 - 60_000 - 1);
      const lastOld = await oldClient.sealRequest(ROUTE, secretBody());
      const opened = await w.server.openRequest(lastOld.message, ROUTE);
      expect(opened.kind === 'stateless' && opened.keyId).toBe(1);
      w.clock.advance(1);
      const tooLate = await oldClient.sealRequest(ROUTE, secretBody());
      await rejected(() => w.server.openRequest(tooLate.message, ROUTE), 'ERR_KEY_EXPIRED');
      // The old key is gone from discovery once expired.
      expect((await w.server.discovery()).keys.map((k) => k.kid)).toEqual(['2']);
    });
  });

  describe('suites', () => {
    it('a P-256 message to an X25519-only server is ERR_SUITE_NOT_ALLOWED', async () => {
      const x25519Only = await world(backend, { suites: [X25519_SHA256_AES256GCM] });
      const p256 = await world(backend, { suite: P256_SHA256_AES256GCM });
      const sealed = await p256.client.sealRequest(ROUTE, secretBody());
      const error = await rejected(
        () => x25519Only.server.openRequest(sealed.message, ROUTE),
        'ERR_SUITE_NOT_ALLOWED',
      );
      expect(error.status).toBe(400);
      const hello = await p256.client.startHandshake(HANDSHAKE);
      await rejected(() => x25519Only.server.handshake(hello.message, HANDSHAKE), 'ERR_SUITE_NOT_ALLOWED');
    });

    it("a message whose suite is not its key's suite is ERR_SUITE_NOT_ALLOWED", async () => {
      const x25519 = await world(backend); // key 7, X25519, both suites allowed
      const p256 = await world(backend, { suite: P256_SHA256_AES256GCM }); // also key 7
      const sealed = await p256.client.sealRequest(ROUTE, secretBody());
      await rejected(() => x25519.server.openRequest(sealed.message, ROUTE), 'ERR_SUITE_NOT_ALLOWED');
    });

    it('a server refuses, when created, a key in a suite it does not allow', async () => {
      const key = await run(backend, generateServerKey({ keyId: 1, suite: P256_SHA256_AES256GCM }));
      expect(
        () =>
          new ServerProtocol({ backend, keys: new ServerKeySet([key]), suites: [X25519_SHA256_AES256GCM] }),
      ).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
    });
  });

  describe('size limits', () => {
    /** A backend that counts the calls made to it. */
    function counting(inner: CryptoBackend): { backend: CryptoBackend; calls: string[] } {
      const calls: string[] = [];
      const proxy = new Proxy(inner, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            calls.push(String(property));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      return { backend: proxy, calls };
    }

    it('an oversized message is ERR_TOO_LARGE (413) before any parsing or crypto', async () => {
      const { backend: spy, calls } = counting(backend);
      const key = await run(backend, generateServerKey({ keyId: 7 }));
      rememberKeys(new ServerKeySet([key]));
      const server = new ServerProtocol({ backend: spy, keys: new ServerKeySet([key]), maxBodyBytes: 100 });
      const huge = backend.randomBytes(8 * 1024 * 1024);
      const error = await rejected(() => server.openRequest(huge, ROUTE), 'ERR_TOO_LARGE');
      expect(error.status).toBe(413);
      await rejected(() => server.handshake(huge, HANDSHAKE), 'ERR_TOO_LARGE');
      expect(calls).toEqual([]);
      // Random bytes of an acceptable size are parsed, and are malformed.
      await rejected(() => server.openRequest(Uint8Array.of(0x00, 0x01, 0x02), ROUTE), 'ERR_MALFORMED');
      // One byte past the limit, with a well-formed start, is still too large.
      const limit = 100 + 1024;
      const client = await ClientProtocol.create({ backend, discovery: await server.discovery() });
      const sealed = await client.sealRequest(ROUTE, {
        contentType: 'text/plain',
        body: new Uint8Array(100),
      });
      expect(sealed.message.length).toBeLessThanOrEqual(limit);
      const padded = concat(sealed.message, new Uint8Array(limit + 1 - sealed.message.length));
      calls.length = 0;
      await rejected(() => server.openRequest(padded, ROUTE), 'ERR_TOO_LARGE');
      expect(calls).toEqual([]);
      expect((await server.openRequest(sealed.message, ROUTE)).kind).toBe('stateless');
    });

    it('bodies over the limit are ERR_TOO_LARGE on the client and for responses', async () => {
      const w = await world(backend, { maxBodyBytes: 100 });
      const client = await ClientProtocol.create({
        backend,
        discovery: await w.server.discovery(),
        clock: w.clock.now,
        maxBodyBytes: 100,
      });
      await rejected(
        () => client.sealRequest(ROUTE, { contentType: 'text/plain', body: new Uint8Array(101) }),
        'ERR_TOO_LARGE',
      );
      const sealed = await client.sealRequest(ROUTE, secretBody());
      const opened = await w.server.openRequest(sealed.message, ROUTE);
      await rejected(
        () => opened.sealResponse({ status: 200, contentType: 'text/plain', body: new Uint8Array(101) }),
        'ERR_TOO_LARGE',
      );
    });

    it('JSON text over the limit is ERR_TOO_LARGE', async () => {
      const w = await world(backend, { maxBodyBytes: 100 });
      const limit = maxJsonMessageLength(w.server.limits);
      await rejected(() => parseJsonMessage('{'.repeat(limit + 1), limit), 'ERR_TOO_LARGE');
    });
  });

  describe('malformed input', () => {
    it('bytes that are not a cl1 message are ERR_MALFORMED (400)', async () => {
      const w = await world(backend);
      const stateless = (await w.client.sealRequest(ROUTE, secretBody())).message;
      const hello = (await w.client.startHandshake(HANDSHAKE)).message;
      const session = await handshake(w);
      const inSession = (await sealSession(session)).message;
      const garbage: [string, Uint8Array][] = [
        ['empty', new Uint8Array(0)],
        ['magic only', Uint8Array.of(0xc1)],
        ['wrong magic', concat(Uint8Array.of(0xc2), stateless.subarray(1))],
        ['type 0', concat(Uint8Array.of(0xc1, 0x00), stateless.subarray(2))],
        ['type 7', concat(Uint8Array.of(0xc1, 0x07), stateless.subarray(2))],
        ['type 0xff', concat(Uint8Array.of(0xc1, 0xff), stateless.subarray(2))],
        ['a handshake request', hello],
        ['a response', concat(Uint8Array.of(0xc1, 0x02), stateless.subarray(2))],
        ['a session response', concat(Uint8Array.of(0xc1, 0x06), inSession.subarray(18))],
        ['a header only', stateless.subarray(0, 40)],
        // header (50 bytes with this content type), enc (32), then 15 bytes: less than a tag
        ['a ciphertext shorter than a tag', stateless.subarray(0, 50 + 32 + 15)],
        ['text', utf8('{"cl1":"request"}')],
      ];
      for (const [what, message] of garbage) {
        const error = await rejected(() => w.server.openRequest(message, ROUTE), 'ERR_MALFORMED');
        expect(error.status, what).toBe(400);
      }
      for (const message of [stateless, inSession, new Uint8Array(0)]) {
        await rejected(() => w.server.handshake(message, HANDSHAKE), 'ERR_MALFORMED');
      }
    });

    it('a request line that is not one is ERR_MALFORMED', async () => {
      const w = await world(backend);
      const sealed = await w.client.sealRequest(ROUTE, secretBody());
      const session = await handshake(w);
      const inSession = await sealSession(session);
      for (const binding of [
        { method: 'PO ST', target: ROUTE.target },
        { method: '', target: ROUTE.target },
        { method: 'POST', target: 'api/transfer' },
        { method: 'POST', target: '' },
      ]) {
        await rejected(() => w.server.openRequest(sealed.message, binding), 'ERR_MALFORMED');
        await rejected(() => w.server.openRequest(inSession.message, binding), 'ERR_MALFORMED');
      }
      // Neither was used up by the malformed attempts.
      await w.server.openRequest(sealed.message, ROUTE);
      await w.server.openRequest(inSession.message, ROUTE);
    });
  });

  describe('pins', () => {
    it('pins that match no published key are ERR_PIN_MISMATCH (502); a matching pin works', async () => {
      const w = await world(backend);
      const discovery = await w.server.discovery();
      const wrong = `sha256/${toBase64(new Uint8Array(32))}`;
      const error = await rejected(
        () => ClientProtocol.create({ backend, discovery, pins: [wrong], clock: w.clock.now }),
        'ERR_PIN_MISMATCH',
      );
      expect(error.status).toBe(502);
      // A discovery document cannot claim a pin: pins are recomputed from the keys.
      const lying = { ...discovery, keys: discovery.keys.map((k) => ({ ...k, pin: wrong })) };
      await rejected(
        () => ClientProtocol.create({ backend, discovery: lying, pins: [wrong], clock: w.clock.now }),
        'ERR_PIN_MISMATCH',
      );
      const key = w.keys.keys[0]!;
      const pin = await run(backend, publicKeyPin(key.suite.kem.curve, key.publicKey));
      const pinned = await ClientProtocol.create({
        backend,
        discovery,
        pins: [wrong, pin],
        clock: w.clock.now,
      });
      const sealed = await pinned.sealRequest(ROUTE, secretBody());
      expect((await w.server.openRequest(sealed.message, ROUTE)).kind).toBe('stateless');
    });

    it('a pin selects its key even when a newer unpinned key is published', async () => {
      const older = await run(backend, generateServerKey({ keyId: 1, notBefore: START - 10_000 }));
      const newer = await run(backend, generateServerKey({ keyId: 2, notBefore: START - 5_000 }));
      const w = await world(backend, { keys: [older, newer] });
      expect(w.client.key.keyId).toBe(2);
      const pinned = await ClientProtocol.create({
        backend,
        discovery: await w.server.discovery(),
        clock: w.clock.now,
        pins: [await run(backend, publicKeyPin('X25519', older.publicKey))],
      });
      expect(pinned.key.keyId).toBe(1);
    });
  });
});

describe('JSON decoding is strict', () => {
  const [, backend] = backends[0]!;

  async function samples() {
    const w = await world(backend);
    const request = toJsonMessage((await w.client.sealRequest(ROUTE, secretBody())).message);
    const session = await handshake(w);
    const sealed = await sealSession(session);
    const inSession = toJsonMessage(sealed.message);
    const opened = await w.server.openRequest(sealed.message, ROUTE);
    const sessionResponse = toJsonMessage(
      await opened.sealResponse({ status: 200, contentType: 'application/json', body: utf8('{}') }),
    );
    const stateless = await w.client.sealRequest(ROUTE, secretBody());
    const response = toJsonMessage(
      await (await w.server.openRequest(stateless.message, ROUTE)).sealResponse({
        status: 200,
        contentType: 'application/json',
        body: utf8('{}'),
      }),
    );
    const all: Record<string, Record<string, unknown>> = { request, inSession, sessionResponse, response };
    return all;
  }

  /** Both entry points: the parsed value and the text. */
  async function bothMalformed(value: unknown, what: string): Promise<void> {
    const code = 'ERR_MALFORMED';
    const e1 = await rejected(() => fromJsonMessage(value), code).catch((cause: unknown) => {
      throw new Error(`fromJsonMessage accepted or misreported: ${what}`, { cause });
    });
    expect(e1.status).toBe(400);
    const text = JSON.stringify(value) ?? 'undefined';
    await rejected(() => parseJsonMessage(text, 1 << 20), code).catch((cause: unknown) => {
      throw new Error(`parseJsonMessage accepted or misreported: ${what}`, { cause });
    });
  }

  /** base64url strings that decode (or would, leniently) to the same bytes, or are not base64url. */
  function nonCanonical(text: string): string[] {
    const last = text.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const bumped = alphabet[(alphabet.indexOf(last) ^ 1) & 63]!;
    const out = [
      `${text}=`,
      `${text}==`,
      ` ${text}`,
      `${text}\n`,
      `+${text.slice(1)}`,
      `/${text.slice(1)}`,
      `${text.slice(0, 4)}.${text.slice(5)}`,
    ];
    // A length of 4n+1 characters is never valid.
    if (text.length % 4 === 0) out.push(`${text}A`);
    // With unused low bits in the last character, setting one of them is the lenient-decoder trap.
    if (text.length % 4 !== 0) out.push(text.slice(0, -1) + bumped);
    return out;
  }

  it('the untouched JSON decodes (control)', async () => {
    for (const sample of Object.values(await samples())) {
      expect(toJsonMessage(fromJsonMessage(sample))).toEqual(sample);
      expect(parseJsonMessage(JSON.stringify(sample), 1 << 20)).toEqual(fromJsonMessage(sample));
    }
  });

  it('an extra member is ERR_MALFORMED', async () => {
    for (const sample of Object.values(await samples())) {
      await bothMalformed({ ...sample, extra: 1 }, 'extra');
      await bothMalformed({ ...sample, pad: '' }, 'extra pad');
      // An own "__proto__" member, as JSON.parse makes it, is one member too many.
      const text = JSON.stringify(sample).replace('{', '{"__proto__":{},');
      await rejected(() => parseJsonMessage(text, 1 << 20), 'ERR_MALFORMED');
    }
  });

  it('each missing member is ERR_MALFORMED', async () => {
    for (const sample of Object.values(await samples())) {
      for (const name of Object.keys(sample)) {
        const { [name]: _dropped, ...rest } = sample;
        await bothMalformed(rest, `without ${name}`);
      }
    }
  });

  it('each member of a wrong type is ERR_MALFORMED', async () => {
    for (const sample of Object.values(await samples())) {
      for (const [name, value] of Object.entries(sample)) {
        const wrong =
          typeof value === 'number'
            ? [String(value), null, true, [value], { value }]
            : [1, null, false, [value], { value }];
        for (const replacement of wrong) {
          await bothMalformed({ ...sample, [name]: replacement }, `${name}: ${JSON.stringify(replacement)}`);
        }
      }
    }
  });

  it('non-canonical base64url is ERR_MALFORMED', async () => {
    for (const sample of Object.values(await samples())) {
      for (const name of ['rid', 'enc', 'ct', 'sid', 'nonce']) {
        const value = sample[name];
        if (typeof value !== 'string') continue;
        for (const variant of nonCanonical(value)) {
          await bothMalformed({ ...sample, [name]: variant }, `${name}: ${variant}`);
        }
      }
    }
  });

  it('byte strings of the wrong length are ERR_MALFORMED, even when the message bytes are unchanged', async () => {
    const { request, response, inSession } = await samples();
    const req = request!;
    // Moving one byte from ct to enc (or nonce) would rebuild the very same binary message.
    const move = (sample: Record<string, unknown>, field: string) => {
      const head = fromBase64Url(sample[field] as string);
      const tail = fromBase64Url(sample.ct as string);
      const longer = toBase64Url(concat(head, tail.subarray(0, 1)));
      const shorter = toBase64Url(tail.subarray(1));
      expect(concat(fromBase64Url(longer), fromBase64Url(shorter))).toEqual(concat(head, tail));
      const moved = { ...sample, [field]: longer, ct: shorter };
      return moved;
    };
    await bothMalformed(move(req, 'enc'), 'enc one byte longer');
    await bothMalformed(move(response!, 'nonce'), 'nonce one byte longer');
    const shortRid = toBase64Url(new Uint8Array(15));
    await bothMalformed({ ...req, rid: shortRid }, 'rid of 15 bytes');
    await bothMalformed({ ...inSession!, sid: toBase64Url(new Uint8Array(17)) }, 'sid of 17 bytes');
  });

  it('numbers out of range are ERR_MALFORMED', async () => {
    const { request, inSession, sessionResponse } = await samples();
    const cases: [Record<string, unknown>, string, number][] = [
      [request!, 'kid', 256],
      [request!, 'kid', -1],
      [request!, 'kid', 7.5],
      [request!, 'kem', 0x10000],
      [request!, 'kdf', -1],
      [request!, 'aead', 0x10000],
      [request!, 'ts', -1],
      [request!, 'ts', 2 ** 53],
      [request!, 'ts', 1.5],
      [inSession!, 'n', 2 ** 53],
      [inSession!, 'n', -1],
      [inSession!, 'n', 0.5],
      [sessionResponse!, 'n', 2 ** 64],
    ];
    for (const [sample, name, value] of cases)
      await bothMalformed({ ...sample, [name]: value }, `${name}=${value}`);
    // Numbers JSON can spell but a double cannot hold exactly.
    const text = JSON.stringify(request);
    for (const spelled of ['1e400', '-0.5', '9007199254740993']) {
      const changed = text.replace(/"ts":\d+/, `"ts":${spelled}`);
      expect(changed).not.toBe(text);
      await rejected(() => parseJsonMessage(changed, 1 << 20), 'ERR_MALFORMED');
    }
  });

  it('other tags and non-objects are ERR_MALFORMED', async () => {
    const { request } = await samples();
    for (const tag of ['Request', 'request ', 'cl2', '', 'session-request', 1, null]) {
      await bothMalformed({ ...request, cl1: tag }, `cl1=${String(tag)}`);
    }
    for (const value of [null, [], [request], 'request', 42, true, {}]) {
      await bothMalformed(value, JSON.stringify(value));
    }
    for (const text of ['', '{', 'null', '"{}"', '{"cl1":"request"', '\u0000']) {
      await rejected(() => parseJsonMessage(text, 1 << 20), 'ERR_MALFORMED');
    }
  });
});
