import { fromBase64Url } from '@cipherlayer/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ADAPTERS, type Harness, type HarnessOptions, startHarness } from './helpers/harness.js';

/** The discovery resources: JSON and application/ohttp-keys, publicly cacheable, under an optional prefix. */
describe.each(ADAPTERS)('%s', (name) => {
  const open: Harness[] = [];
  afterEach(async () => {
    for (const harness of open.splice(0)) await harness.close();
  });
  async function start(options: HarnessOptions = {}): Promise<Harness> {
    const harness = await startHarness(name, options);
    open.push(harness);
    return harness;
  }

  it('GET /.well-known/cipherlayer: the discovery document, cacheable for a short time', async () => {
    const harness = await start();
    const response = await harness.send({ method: 'GET', target: '/.well-known/cipherlayer' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const document = JSON.parse(response.body.toString());
    expect(document).toEqual(await harness.engine.discovery());
    expect(document.protocol).toBe('cl1');
    expect(document.keys[0]).toMatchObject({ kid: '1', use: 'enc', pin: expect.stringMatching(/^sha256\//) });
    expect(JSON.stringify(document)).not.toContain('"d"');
  });

  it('GET /.well-known/ohttp-gateway: the same keys as application/ohttp-keys', async () => {
    const harness = await start();
    const response = await harness.send({ method: 'GET', target: '/.well-known/ohttp-gateway' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/ohttp-keys');
    const { ohttpKeys } = await harness.engine.discovery();
    expect(new Uint8Array(response.body)).toEqual(fromBase64Url(ohttpKeys));
  });

  it('a prefix and a max-age of choice', async () => {
    const harness = await start({ wellKnownPrefix: '/api/v1', discoveryMaxAgeSeconds: 60 });
    expect(harness.engine.paths).toEqual({
      discovery: '/api/v1/.well-known/cipherlayer',
      ohttpKeys: '/api/v1/.well-known/ohttp-gateway',
      session: '/api/v1/.well-known/cipherlayer/session',
    });
    const response = await harness.send({ method: 'GET', target: '/api/v1/.well-known/cipherlayer?x=1' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=60');
    const root = await harness.send({ method: 'GET', target: '/.well-known/cipherlayer' });
    expect(root.status).not.toBe(200);
  });
});
