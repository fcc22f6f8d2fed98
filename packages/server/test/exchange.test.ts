import { describe, expect, it } from 'vitest';
import { cipherlayerFetch, createCipherlayer, getCipherlayer } from '../src/index.js';
import { TestClient } from './helpers/client.js';
import { sendThroughFetch } from './helpers/harness.js';
import { keySet } from './helpers/keys.js';

/** What handlers can do with an exchange, and what they cannot. */
describe('the exchange handed to the app', () => {
  it('session operations on a stateless request, or with non-string attributes, are configuration errors', async () => {
    const engine = createCipherlayer<Request>({ keys: keySet() });
    const outcomes: unknown[] = [];
    const fetch = cipherlayerFetch(engine, async (request) => {
      const exchange = getCipherlayer(request);
      const attempts: (() => Promise<unknown> | undefined)[] = [
        () => exchange?.bindSession({ user: 'alice' }),
        () => exchange?.revokeSession(),
        () => exchange?.bindSession({ user: 42 as unknown as string }),
      ];
      for (const attempt of attempts) {
        outcomes.push(
          await Promise.resolve()
            .then(attempt)
            .catch((error: { code: string }) => error.code),
        );
      }
      return Response.json({
        attributes: exchange?.sessionAttributes,
        requestId: exchange?.requestId?.length,
      });
    });
    const harness = {
      name: 'fetch' as const,
      engine,
      seen: [],
      async send(request: {
        method: string;
        target: string;
        headers?: Record<string, string>;
        body?: Uint8Array | string;
      }) {
        return sendThroughFetch(fetch, request);
      },
      stream: () => Promise.reject(new Error('unused')),
      close: async () => {},
    };
    const client = await TestClient.connect(harness);
    const out = await client.call({ method: 'GET', target: '/me', session: false });
    expect(out.json()).toEqual({ attributes: {}, requestId: 32 });
    expect(outcomes).toEqual(['ERR_CONFIG', 'ERR_CONFIG', 'ERR_CONFIG']);

    await client.handshake();
    outcomes.length = 0;
    await client.call({ method: 'GET', target: '/me' });
    expect(outcomes).toEqual([true, undefined, 'ERR_CONFIG']);
  });
});
