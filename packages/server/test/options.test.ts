import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { cipherlayer } from '../src/express.js';
import { cipherlayerFastify } from '../src/fastify.js';
import { cipherlayerHono } from '../src/hono.js';
import {
  type Cipherlayer,
  type CipherlayerOptions,
  cipherlayerFetch,
  createCipherlayer,
} from '../src/index.js';
import { keySet } from './helpers/keys.js';

function configError(run: () => unknown, detail: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toMatchObject({ code: 'ERR_CONFIG', status: 500 });
  expect((thrown as Error).message).toMatch(detail);
}

/** Options are checked once, at creation, and a mistake says which option and what it must be. */
describe('createCipherlayer options', () => {
  const keys = keySet();
  const bad: [string, Partial<CipherlayerOptions>, RegExp][] = [
    ['no options', undefined as unknown as CipherlayerOptions, /needs an options object/],
    ['a misspelt option', { maxBodySize: 10 } as Partial<CipherlayerOptions>, /unknown option "maxBodySize"/],
    ['keys of the wrong kind', { keys: {} as never }, /keys must be a ServerKeySet/],
    [
      'a store missing methods',
      { sessionStore: { save() {} } as never },
      /sessionStore must implement SessionStore/,
    ],
    ['a replay cache missing remember', { replayCache: {} as never }, /replayCache must implement/],
    ['a misspelt session option', { session: { ttl: 5 } as never }, /session: unknown option "ttl"/],
    ['a prefix ending in a slash', { wellKnownPrefix: '/api/' }, /wellKnownPrefix must be a path/],
    ['a prefix without a slash', { wellKnownPrefix: 'api' }, /wellKnownPrefix must be a path/],
    [
      'a negative max-age',
      { discoveryMaxAgeSeconds: -1 },
      /discoveryMaxAgeSeconds must be a non-negative integer/,
    ],
    ['a zero store timeout', { storeTimeoutMs: 0 }, /storeTimeoutMs must be at least 1/],
    [
      'a hook that is not a function',
      { sessionAttributes: 'ip' as never },
      /sessionAttributes must be a function/,
    ],
    [
      'a logger level that is not a function',
      { logger: { warn: 'loud' } as never },
      /logger.warn must be a function/,
    ],
    ['a backend that is not one', { backend: {} as never }, /backend must be a CryptoBackend/],
    [
      'a bad session ttl (checked by the protocol)',
      { session: { ttlMs: -1 } },
      /session.ttlMs must be a positive integer/,
    ],
    [
      'a bad body limit (checked by the protocol)',
      { maxBodyBytes: 1.5 },
      /maxBodyBytes must be a non-negative integer/,
    ],
  ];
  it.each(bad)('%s', (_name, options, detail) => {
    configError(
      () => createCipherlayer(options === undefined ? (options as never) : { keys, ...options }),
      detail,
    );
  });

  it('setKeys refuses anything but a key set', () => {
    const engine = createCipherlayer({ keys });
    configError(() => engine.setKeys({} as never), /setKeys needs a ServerKeySet/);
  });
});

describe('adapter options', () => {
  const engine = createCipherlayer({ keys: keySet() });

  it('Express', () => {
    configError(() => cipherlayer({} as Cipherlayer, {}), /pass what createCipherlayer\(\) returned/);
    configError(() => cipherlayer(engine, { policy: 'required' as 'require' }), /policy must be 'require'/);
    configError(() => cipherlayer(engine, { wellknown: true } as never), /unknown option "wellknown"/);
    configError(() => cipherlayer(engine, { wellKnown: 'yes' as never }), /wellKnown must be true or false/);
  });

  it('Web and Hono', () => {
    configError(() => cipherlayerFetch(engine, 'handler' as never), /handler must be a function/);
    configError(
      () => cipherlayerFetch(engine, () => new Response(), { policy: 1 as never }),
      /policy must be/,
    );
    configError(() => cipherlayerHono(engine, { mode: 'strict' } as never), /unknown option "mode"/);
  });

  it('Fastify: at registration', async () => {
    await expect(
      Fastify()
        .register(cipherlayerFastify, { cipherlayer: {} as never })
        .ready(),
    ).rejects.toMatchObject({
      code: 'ERR_CONFIG',
    });
    await expect(
      Fastify()
        .register(cipherlayerFastify, { cipherlayer: engine, policy: 'strict' as 'require' })
        .ready(),
    ).rejects.toThrow(/policy must be/);
    await expect(
      Fastify()
        .register(cipherlayerFastify, { cipherlayer: engine, prefix: '/x' } as never)
        .ready(),
    ).rejects.toThrow(/unknown option "prefix"/);
  });
});
