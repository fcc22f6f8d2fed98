import { inspect } from 'node:util';
import type { ErrorCode } from '@cipherlayer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CipherlayerServerError } from '../src/index.js';
import { SESSION_PATH, ServerDouble } from './helpers/server-double.js';
import { clientFor, expectNoPlaintext, isCl1Request, json } from './helpers/wire.js';

/** Codes the client reports without retrying: one request on the wire, the server's code in the error. */
let server: ServerDouble;
beforeEach(async () => {
  server = await ServerDouble.start();
});
afterEach(async () => {
  await server.close();
});

const ROUTE = '/api/transfer';
const secret = { card: '4111-SECRET-1111', pin: 'PIN-0000-SECRET' };

const reported: ErrorCode[] = [
  'ERR_PLAINTEXT_REJECTED',
  'ERR_DECRYPT',
  'ERR_REPLAY',
  'ERR_MALFORMED',
  'ERR_TOO_LARGE',
  'ERR_SUITE_NOT_ALLOWED',
  'ERR_STORE_UNAVAILABLE',
  'ERR_INTERNAL',
  'ERR_SESSION_REVOKED',
  'ERR_SESSION_BINDING',
];

describe.each(['stateless', 'session'] as const)('%s mode', (mode) => {
  it.each(reported)('%s: rejected after one request, nothing resent', async (code) => {
    const client = clientFor(server, { mode });
    server.failNext(code, { path: ROUTE, times: 2 });
    const failure = await client(ROUTE, json(secret)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CipherlayerServerError);
    expect(failure).toMatchObject({
      name: 'CipherlayerServerError',
      code,
      httpStatus: (failure as CipherlayerServerError).status,
    });
    expect(server.count('POST', ROUTE)).toBe(1);
    expect(server.exchanges.filter((e) => e.target === ROUTE).every((e) => isCl1Request(e.rawHeaders))).toBe(
      true,
    );
    // Nothing of the request, of the keys or of the session in the error, however it is printed.
    const printed = inspect(failure, { depth: 8, showHidden: true }) + JSON.stringify(failure);
    for (const value of Object.values(secret)) expect(printed).not.toContain(value);
    expect(printed).not.toMatch(/c2s|s2c|privateKey|sessionId/);
    expectNoPlaintext(server, Object.values(secret));
  });
});

it.each(['ERR_SESSION_REVOKED', 'ERR_SESSION_BINDING'] as const)(
  '%s drops the session: the next request handshakes again',
  async (code) => {
    const client = clientFor(server, { mode: 'session' });
    await client(ROUTE, json({ first: true }));
    server.failNext(code, { path: ROUTE });
    await expect(client(ROUTE, json(secret))).rejects.toMatchObject({ code });
    expect(server.count('POST', SESSION_PATH)).toBe(1);
    expect((await client(ROUTE, json({ again: true }))).status).toBe(200);
    expect(server.count('POST', SESSION_PATH)).toBe(2);
  },
);
