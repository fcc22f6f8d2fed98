import type { ErrorCode } from '@cipherlayer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CipherlayerServerError } from '../src/index.js';
import { DISCOVERY_PATH, SESSION_PATH, ServerDouble } from './helpers/server-double.js';
import { clientFor, expectNoPlaintext, isCl1Request, json } from './helpers/wire.js';

/**
 * Each code the client recovers from (spec/http.md, "Errors made by
 * cipherlayer"): answered once, the request succeeds after exactly one
 * repair and one resend; answered every time, the client gives up after one
 * retry. Either way every request on the wire is a cl1 message.
 */
let server: ServerDouble;
beforeEach(async () => {
  server = await ServerDouble.start();
});
afterEach(async () => {
  await server.close();
});

const ROUTE = '/api/transfer';
const secret = { iban: 'GB33-BUKB-SECRET', amount: 'AMOUNT-4242' };

type Case = [
  code: ErrorCode,
  mode: 'stateless' | 'session',
  failing: string,
  repair: [string, string] | undefined,
];
const cases: Case[] = [
  ['ERR_STALE', 'stateless', ROUTE, undefined],
  ['ERR_UNKNOWN_KEY', 'stateless', ROUTE, ['GET', DISCOVERY_PATH]],
  ['ERR_KEY_EXPIRED', 'stateless', ROUTE, ['GET', DISCOVERY_PATH]],
  ['ERR_SESSION_UNKNOWN', 'session', ROUTE, ['POST', SESSION_PATH]],
  ['ERR_SESSION_EXPIRED', 'session', ROUTE, ['POST', SESSION_PATH]],
  ['ERR_SESSION_LIMIT', 'session', ROUTE, ['POST', SESSION_PATH]],
  ['ERR_STALE', 'session', SESSION_PATH, undefined],
  ['ERR_UNKNOWN_KEY', 'session', SESSION_PATH, ['GET', DISCOVERY_PATH]],
];

const routeRequests = () => server.exchanges.filter((e) => e.target === ROUTE);

describe.each(cases)('%s (%s mode, answered at %s)', (code, mode, failing, repair) => {
  const repairs = () => (repair === undefined ? 0 : server.count(...repair));

  it('answered once: one repair, one resend, and the request succeeds', async () => {
    const client = clientFor(server, { mode });
    await client(ROUTE, json({ warmup: true }));
    // Without a session, the next request starts with a handshake (and keeps its one retry).
    if (failing === SESSION_PATH) await client.logout();
    const repairsBefore = repairs();
    const sentBefore = server.count('POST', failing);

    server.failNext(code, { path: failing });
    const response = await client(ROUTE, json(secret));
    expect(response.status).toBe(200);
    expect(server.count('POST', failing) - sentBefore).toBe(2);
    if (repair !== undefined) expect(repairs() - repairsBefore).toBe(1);
    expect(server.exchanges.every((e) => e.target === DISCOVERY_PATH || isCl1Request(e.rawHeaders))).toBe(
      true,
    );
    expectNoPlaintext(server, Object.values(secret));
  });

  it('answered every time: gives up after one retry, with the server code, and never sends plaintext', async () => {
    const client = clientFor(server, { mode });
    await client(ROUTE, json({ warmup: true }));
    if (failing === SESSION_PATH) await client.logout();
    const repairsBefore = repairs();
    const sentBefore = server.count('POST', failing);

    server.failNext(code, { path: failing, times: 5 });
    const failure = await client(ROUTE, json(secret)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CipherlayerServerError);
    expect(failure).toMatchObject({ code, httpStatus: (failure as CipherlayerServerError).status });
    expect(server.count('POST', failing) - sentBefore).toBe(2);
    expect(server.pendingOverrides).toBe(3);
    if (repair !== undefined) expect(repairs() - repairsBefore).toBe(1);
    expect(routeRequests().every((e) => isCl1Request(e.rawHeaders))).toBe(true);
    expectNoPlaintext(server, Object.values(secret));
  });
});
