import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_PATH, ServerDouble } from './helpers/server-double.js';
import { clientFor, json, timestampOf } from './helpers/wire.js';

/**
 * ERR_STALE: the client adopts the offset of the answer's Date header and
 * retries once, but only within maxClockCorrectionMs (default 10 minutes):
 * the answer is unauthenticated, and a forged Date far away would let an
 * attacker delay requests until their timestamps look fresh.
 */
let server: ServerDouble;
beforeEach(async () => {
  server = await ServerDouble.start();
});
afterEach(async () => {
  await server.close();
});

const ROUTE = '/api/transfer';
const MINUTE = 60_000;
const skewed = (offset: number) => () => Date.now() + offset;
const lastTimestamp = () => timestampOf(server.exchanges.filter((e) => e.target === ROUTE).at(-1)!.body);

describe.each([
  ['ahead', 5 * MINUTE],
  ['behind', -9 * MINUTE],
])('a client clock %s of the server', (_direction, offset) => {
  it('stateless: recovers with one retry, and keeps the correction for later requests', async () => {
    const client = clientFor(server, { mode: 'stateless', clock: skewed(offset) });
    expect((await client(ROUTE, json({ n: 1 }))).status).toBe(200);
    expect(server.count('POST', ROUTE)).toBe(2);
    expect(Math.abs(lastTimestamp() - Date.now())).toBeLessThan(5_000);

    expect((await client(ROUTE, json({ n: 2 }))).status).toBe(200);
    expect(server.count('POST', ROUTE)).toBe(3);
  });

  it('session: the handshake recovers the same way', async () => {
    const client = clientFor(server, { mode: 'session', clock: skewed(offset) });
    expect((await client(ROUTE, json({ n: 1 }))).status).toBe(200);
    expect(server.count('POST', SESSION_PATH)).toBe(2);
    expect(server.count('POST', ROUTE)).toBe(1);
  });
});

it('a clock further off than the bound is not corrected: ERR_STALE after one request', async () => {
  const client = clientFor(server, { mode: 'stateless', clock: skewed(-20 * MINUTE) });
  await expect(client(ROUTE, json({}))).rejects.toMatchObject({ code: 'ERR_STALE', httpStatus: 400 });
  expect(server.count('POST', ROUTE)).toBe(1);
});

it('the bound is an option', async () => {
  const client = clientFor(server, {
    mode: 'stateless',
    clock: skewed(-20 * MINUTE),
    maxClockCorrectionMs: 30 * MINUTE,
  });
  expect((await client(ROUTE, json({}))).status).toBe(200);
  expect(server.count('POST', ROUTE)).toBe(2);
});

it.each([
  ['a forged Date a day ahead', new Date(Date.now() + 24 * 60 * MINUTE).toUTCString()],
  ['a forged Date a year behind', new Date(Date.now() - 365 * 24 * 60 * MINUTE).toUTCString()],
  ['an unparseable Date', 'yesterday-ish'],
])('%s is refused: no retry, and later requests keep the local clock', async (_name, date) => {
  const client = clientFor(server, { mode: 'stateless' });
  server.failNext('ERR_STALE', { path: ROUTE, date });
  await expect(client(ROUTE, json({}))).rejects.toMatchObject({ code: 'ERR_STALE' });
  expect(server.count('POST', ROUTE)).toBe(1);

  expect((await client(ROUTE, json({}))).status).toBe(200);
  expect(Math.abs(lastTimestamp() - Date.now())).toBeLessThan(5_000);
});
