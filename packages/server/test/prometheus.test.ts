import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../src/prometheus.js';
import { TestClient } from './helpers/client.js';
import { type Harness, startHarness } from './helpers/harness.js';

/** The Prometheus exporter: counters fed by the events, low-cardinality labels only. */
describe('createPrometheusMetrics', () => {
  let harness: Harness;
  let client: TestClient;
  beforeAll(async () => {
    harness = await startHarness('fastify');
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());

  it('counts opened, sealed, rejected, replayed and handshakes in the text format', async () => {
    const registry = new Registry();
    const metrics = await createPrometheusMetrics(harness.engine, { registry });
    const built = await client.build({
      method: 'POST',
      target: '/api/transfer',
      json: { amount: 1 },
      session: false,
    });
    await harness.send(built.request);
    await harness.send(built.request);
    await client.handshake();
    await client.call({ method: 'GET', target: '/api/balance' });
    await harness.send({ method: 'GET', target: '/api/balance' });

    const text = await metrics.metrics();
    expect(metrics.contentType).toMatch(/^text\/plain/);
    expect(text).toContain('cipherlayer_opened_total{kind="stateless",form="binary"} 1');
    expect(text).toContain('cipherlayer_opened_total{kind="session",form="header"} 1');
    expect(text).toContain('cipherlayer_sealed_total{kind="session",encoding="binary"} 1');
    expect(text).toContain('cipherlayer_rejected_total{code="ERR_REPLAY"} 1');
    expect(text).toContain('cipherlayer_rejected_total{code="ERR_PLAINTEXT_REJECTED"} 1');
    expect(text).toContain('cipherlayer_replayed_total{kind="stateless"} 1');
    expect(text).toContain('cipherlayer_handshakes_total{encoding="binary"} 1');
    expect(text).not.toMatch(/requestId/);

    metrics.stop();
    await harness.send({ method: 'GET', target: '/api/balance' });
    expect(await metrics.metrics()).toContain('cipherlayer_rejected_total{code="ERR_PLAINTEXT_REJECTED"} 1');
  });

  it('a second exporter on the same registry shares the counters; a bad prefix is refused', async () => {
    const registry = new Registry();
    const first = await createPrometheusMetrics(harness.engine, { registry, prefix: 'app_cl_' });
    const second = await createPrometheusMetrics(harness.engine, { registry, prefix: 'app_cl_' });
    await harness.send({ method: 'GET', target: '/api/balance' });
    expect(await first.metrics()).toContain('app_cl_rejected_total{code="ERR_PLAINTEXT_REJECTED"} 2');
    first.stop();
    second.stop();
    await expect(createPrometheusMetrics(harness.engine, { prefix: 'bad prefix' })).rejects.toMatchObject({
      code: 'ERR_CONFIG',
    });
  });
});
