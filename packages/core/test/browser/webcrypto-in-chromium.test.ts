import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeBackend } from '../../src/backends/node.js';
import type { RequestBinding } from '../../src/cl1/binding.js';
import { ClientProtocol } from '../../src/cl1/client.js';
import { HANDSHAKE_STATUS } from '../../src/cl1/handshake.js';
import { ServerProtocol } from '../../src/cl1/server.js';
import {
  hpkeSuite,
  P256_SHA256_AES256GCM,
  type Suite,
  X25519_SHA256_AES256GCM,
} from '../../src/hpke/suites.js';
import { ServerKeySet } from '../../src/keys/key-set.js';
import { generateServerKey } from '../../src/keys/server-key.js';
import { fromBase64Url, toBase64Url, utf8 } from '../../src/lib/bytes.js';
import { runFlow } from '../../src/lib/flow.js';
import {
  bundleForBrowser,
  launchChromium,
  modulePage,
  type StaticServer,
  serveStatic,
  WatchedPage,
} from '../helpers/chromium.js';
import { type HpkeVector, parseRfc9180 } from '../helpers/rfc9180.js';
import { readShared, readSharedJson } from '../helpers/shared.js';
import type { ConformanceApi, Rfc9458Vector, WireBody } from './conformance.js';

/**
 * The Web Crypto backend in real headless Chromium: the RFC 9180 and RFC 9458
 * vectors, the key handles it hands out, and every cl1 message type sealed
 * on one side (node:crypto in Node, Web Crypto in the page) and opened on
 * the other, in both directions.
 */

// Must match CONFORMANCE_GLOBAL in conformance.ts (not imported: that module only runs in the page).
const API = 'cipherlayerConformance';

const hpkeVectors = parseRfc9180(readShared('vectors/hpke/rfc9180-appendix-a-test-vectors.md'));
const isSupported = (v: HpkeVector) => {
  try {
    hpkeSuite(v.kemId, v.kdfId, v.aeadId);
    return true;
  } catch {
    return false;
  }
};
const baseVectors = hpkeVectors.filter((v) => v.mode === 0 && isSupported(v));
const ohttpVectors = readSharedJson<{ vectors: Rfc9458Vector[] }>('vectors/ohttp/rfc9458.json').vectors;

interface Running {
  browser: Browser;
  server: StaticServer;
  page: WatchedPage;
}

async function start(): Promise<Running> {
  const [bundle, browser] = await Promise.all([
    bundleForBrowser(fileURLToPath(new URL('./conformance.ts', import.meta.url))),
    launchChromium(),
  ]);
  let server: StaticServer | undefined;
  try {
    server = await serveStatic({
      '/': modulePage('/conformance.js'),
      '/conformance.js': { contentType: 'text/javascript; charset=utf-8', body: bundle },
    });
    return { browser, server, page: await WatchedPage.open(browser, server.url, API) };
  } catch (error) {
    // afterAll only sees a rejected start: close what did open here.
    await browser.close();
    await server?.close();
    throw error;
  }
}

// Started once and shared; every browser test awaits it, so a missing Chromium fails each
// of them with the launch error (a throwing beforeAll would only mark them skipped).
let started: Promise<Running> | undefined;
const running = () => {
  started ??= start();
  return started;
};

beforeAll(async () => {
  await running().catch(() => undefined);
});

afterEach(async () => {
  const current = await started?.catch(() => undefined);
  current?.page.assertNoProblems();
});

afterAll(async () => {
  const current = await started?.catch(() => undefined);
  await current?.page.close();
  await current?.browser.close();
  await current?.server.close();
});

/** Calls the conformance module's `method` in the page, with JSON arguments and result. */
async function inPage<K extends keyof ConformanceApi>(
  method: K,
  ...args: Parameters<ConformanceApi[K]>
): Promise<Awaited<ReturnType<ConformanceApi[K]>>> {
  const { page } = await running();
  return (await page.call(API, method, args)) as Awaited<ReturnType<ConformanceApi[K]>>;
}

it('runs in Chromium, not in Node', async () => {
  expect((await running()).browser.version()).toMatch(/^\d+\./);
  expect(await inPage('userAgent')).toMatch(/HeadlessChrome\//);
});

describe('RFC 9180 appendix A, base mode, on Web Crypto in Chromium', () => {
  it('the appendix yields the five base-mode suites cipherlayer supports', () => {
    expect(baseVectors.map((v) => `${v.kemId}/${v.kdfId}/${v.aeadId}`).sort()).toEqual(
      ['16/1/1', '16/3/1', '18/3/2', '32/1/1', '32/1/65535'].sort(),
    );
  });

  it.each(baseVectors.map((v) => [v.title, v] as const))('%s', async (_title, v) => {
    const [report] = await inPage('runHpkeVectors', [v]);
    expect(report?.mismatch).toBeUndefined();
    expect(report?.error).toBeUndefined();
    expect(report?.passed).toBe(true);
    // mode, skEm, pkRm, pkEm, enc; each listed ct; every sequence opened; both sides' exports.
    const sequences = (v.encryptions.at(-1)?.sequence ?? -1) + 1;
    expect(report?.checks).toBe(5 + v.encryptions.length + sequences + 2 * v.exports.length);
  });
});

describe('RFC 9458 appendix A on Web Crypto in Chromium', () => {
  it.each(ohttpVectors.map((v) => [v.keyId, v] as const))(
    'key %s: key config byte for byte, request and response round trip',
    async (_id, v) => {
      const [report] = await inPage('runOhttpVectors', [v]);
      expect(report?.mismatch).toBeUndefined();
      expect(report?.error).toBeUndefined();
      expect(report).toMatchObject({ passed: true, checks: 11 });
    },
  );
});

describe('key handles in Chromium', () => {
  it('session AEAD keys and DH private keys are non-extractable CryptoKeys', async () => {
    const refused = (...formats: string[]) =>
      Object.fromEntries(formats.map((f) => [f, 'InvalidAccessError'] as const));
    const aead = {
      isCryptoKey: true,
      extractable: false,
      algorithm: 'AES-GCM',
      usages: ['decrypt', 'encrypt'],
    };
    const dh = { isCryptoKey: true, extractable: false, usages: ['deriveBits'] };
    expect(await inPage('inspectKeyHandles')).toEqual([
      { name: 'session c2s AEAD key', ...aead, exports: refused('raw', 'jwk') },
      { name: 'session s2c AEAD key', ...aead, exports: refused('raw', 'jwk') },
      { name: 'X25519 private key', ...dh, algorithm: 'X25519', exports: refused('pkcs8', 'jwk') },
      { name: 'P-256 private key', ...dh, algorithm: 'ECDH', exports: refused('pkcs8', 'jwk') },
    ]);
  });
});

const suites = [
  ['X25519', X25519_SHA256_AES256GCM],
  ['P-256', P256_SHA256_AES256GCM],
] as const;
const routeBinding: RequestBinding = { method: 'POST', target: '/api/transfer?from=1&memo=%C3%BC' };
const handshakeBinding: RequestBinding = { method: 'POST', target: '/.well-known/cipherlayer/session' };

/** Random bytes of every value, so any re-encoding on the way would show. */
const randomBody = (length: number) => ({
  contentType: 'application/octet-stream',
  body: nodeBackend.randomBytes(length),
});
const jsonBody = (value: unknown) => ({
  contentType: 'application/json; charset=utf-8',
  body: utf8(JSON.stringify(value)),
});
const toWire = (parts: { contentType: string; body: Uint8Array }): WireBody => ({
  contentType: parts.contentType,
  body: toBase64Url(parts.body),
});

function nodeKeySet(suite: Suite): ServerKeySet {
  return new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 7, suite }))]);
}

describe.each(suites)('cross-open between node:crypto and Chromium (%s)', (_name, suite) => {
  it('node:crypto client, Chromium server: stateless, handshake and session messages', async () => {
    const keys = nodeKeySet(suite);
    const discovery = await inPage('serverStart', keys.toPrivateDocument());
    // The page computed the pins and key configs with Web Crypto; Node computes the same document.
    expect(discovery).toEqual(runFlow(nodeBackend, keys.discovery(Date.now())));
    const client = await ClientProtocol.create({ backend: nodeBackend, discovery });

    // Stateless request (Node seals, page opens) and response (page seals, Node opens).
    const request = jsonBody({ amount: 125, to: 'DE89 3704', memo: 'Überweisung €' });
    const response = randomBody(1500);
    const sealed = await client.sealRequest(routeBinding, request);
    const opened = await inPage('serverOpen', {
      message: toBase64Url(sealed.message),
      binding: routeBinding,
      expect: toWire(request),
      respond: { status: 201, ...toWire(response) },
    });
    expect(opened).toMatchObject({ kind: 'stateless', counter: null, ...toWire(request) });
    expect(await sealed.openResponse(fromBase64Url(opened.response), 201)).toEqual(response);

    // Handshake request (Node) and response (page), then session requests and responses.
    const hello = await client.startHandshake(handshakeBinding);
    const accepted = await inPage('serverHandshake', {
      message: toBase64Url(hello.message),
      binding: handshakeBinding,
    });
    const session = await hello.finish(fromBase64Url(accepted.response), HANDSHAKE_STATUS);
    expect(toBase64Url(session.sessionId)).toBe(accepted.sessionId);

    for (const [counter, size] of [0, 1, 4096].entries()) {
      const body = randomBody(size);
      const reply = randomBody(size + 17);
      const message = await session.sealRequest(routeBinding, body);
      const result = await inPage('serverOpen', {
        message: toBase64Url(message.message),
        binding: routeBinding,
        expect: toWire(body),
        respond: { status: 200, ...toWire(reply) },
      });
      expect(result).toMatchObject({ kind: 'session', counter, ...toWire(body) });
      expect(await message.openResponse(fromBase64Url(result.response), 200)).toEqual(reply);
    }
  });

  it('Chromium client, node:crypto server: stateless, handshake and session messages', async () => {
    const server = new ServerProtocol({ backend: nodeBackend, keys: nodeKeySet(suite) });
    const discovery = await server.discovery();
    expect(await inPage('clientStart', discovery)).toEqual({ keyId: 7, pin: discovery.keys[0]?.pin });

    // Stateless request (page seals, Node opens) and response (Node seals, page opens).
    const request = randomBody(2048);
    const response = jsonBody({ balance: 1875, currency: '€' });
    const sealed = await inPage('clientSealRequest', { binding: routeBinding, request: toWire(request) });
    const opened = await server.openRequest(fromBase64Url(sealed.message), routeBinding);
    expect(opened).toMatchObject({ kind: 'stateless', ...request });
    const responseMessage = await opened.sealResponse({ status: 201, ...response });
    expect(
      await inPage('clientOpenResponse', {
        id: sealed.id,
        message: toBase64Url(responseMessage),
        status: 201,
        expect: toWire(response),
      }),
    ).toEqual(toWire(response));

    // Handshake request (page) and response (Node), then session requests and responses.
    const hello = await inPage('clientStartHandshake', { binding: handshakeBinding });
    const accepted = await server.handshake(fromBase64Url(hello.message), handshakeBinding);
    const { sessionId } = await inPage('clientFinishHandshake', {
      response: toBase64Url(accepted.response),
      status: HANDSHAKE_STATUS,
    });
    expect(sessionId).toBe(toBase64Url(accepted.sessionId));

    for (const [counter, size] of [0, 1, 4096].entries()) {
      const body = randomBody(size);
      const reply = randomBody(size + 17);
      const message = await inPage('clientSessionSealRequest', {
        binding: routeBinding,
        request: toWire(body),
      });
      expect(message.counter).toBe(counter);
      const result = await server.openRequest(fromBase64Url(message.message), routeBinding);
      expect(result).toMatchObject({ kind: 'session', counter, ...body });
      const replyMessage = await result.sealResponse({ status: 200, ...reply });
      expect(
        await inPage('clientOpenResponse', {
          id: message.id,
          message: toBase64Url(replyMessage),
          status: 200,
          expect: toWire(reply),
        }),
      ).toEqual(toWire(reply));
    }
  });
});
