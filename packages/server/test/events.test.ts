import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CipherlayerEvents, EventName } from '../src/index.js';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, type Harness, startHarness } from './helpers/harness.js';

type Recorded = { [E in EventName]: { name: E; event: CipherlayerEvents[E] } }[EventName];

/** The events API: what each step reports, and that a failing listener never reaches a request. */
describe.each(ADAPTERS)('%s', (name) => {
  let harness: Harness;
  let client: TestClient;
  const events: Recorded[] = [];
  const logged: string[] = [];
  beforeAll(async () => {
    harness = await startHarness(name, { logger: { error: (_fields, message) => logged.push(message) } });
    for (const event of ['opened', 'sealed', 'rejected', 'replayed', 'handshake', 'revoked'] as const) {
      harness.engine.on(event, (payload) => events.push({ name: event, event: payload } as Recorded));
    }
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());

  it('opened, sealed, rejected, replayed, handshake, revoked', async () => {
    const built = await client.build({
      method: 'POST',
      target: '/api/transfer',
      json: { amount: 1 },
      form: 'json',
      session: false,
    });
    await harness.send(built.request);
    await harness.send(built.request);
    await client.handshake();
    await client.call({ method: 'GET', target: '/api/balance' });
    await client.call({ method: 'DELETE', target: harness.engine.paths.session });
    await harness.send({ method: 'GET', target: '/api/balance' });

    const names = events.map((e) => e.name);
    expect(names).toEqual([
      'opened',
      'sealed',
      'replayed',
      'rejected',
      'handshake',
      'opened',
      'sealed',
      'opened',
      'revoked',
      'sealed',
      'rejected',
    ]);
    expect(events[0]?.event).toMatchObject({ kind: 'stateless', form: 'json' });
    expect(events[1]?.event).toMatchObject({ kind: 'stateless', encoding: 'json', status: 201 });
    expect(events[2]?.event).toMatchObject({ kind: 'stateless' });
    expect(events[3]?.event).toMatchObject({ code: 'ERR_REPLAY', status: 409 });
    expect(events[4]?.event).toMatchObject({ encoding: 'binary' });
    expect(events[5]?.event).toMatchObject({ kind: 'session', form: 'header' });
    expect(events[8]?.event).toMatchObject({ by: 'logout' });
    expect(events[10]?.event).toMatchObject({ code: 'ERR_PLAINTEXT_REJECTED', status: 415 });
  });

  it('a listener that throws is logged and the request goes on; off() removes a listener', async () => {
    const thrower = () => {
      throw new Error('listener bug');
    };
    harness.engine.on('opened', thrower);
    const out = await client.call({ method: 'GET', target: '/api/balance', session: false });
    expect(out.status).toBe(200);
    expect(logged).toContain('cipherlayer: an event listener threw; the request went on');
    harness.engine.off('opened', thrower);
    logged.length = 0;
    await client.call({ method: 'GET', target: '/api/balance', session: false });
    expect(logged).toEqual([]);
    expect(() => harness.engine.on('nonsense' as 'opened', () => {})).toThrow(/unknown event/);
  });
});
