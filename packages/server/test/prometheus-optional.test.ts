import { describe, expect, it, vi } from 'vitest';

vi.mock('prom-client', () => {
  throw new Error("Cannot find package 'prom-client'");
});

/** prom-client is an optional peer: without it, everything loads, and only asking for metrics fails, clearly. */
describe('without prom-client', () => {
  it('the package and the exporter module load; createPrometheusMetrics says what to install', async () => {
    const { createCipherlayer } = await import('../src/index.js');
    const { createPrometheusMetrics } = await import('../src/prometheus.js');
    const { keySet } = await import('./helpers/keys.js');
    const engine = createCipherlayer({ keys: keySet() });
    await expect(createPrometheusMetrics(engine)).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      message: expect.stringContaining('npm install prom-client'),
    });
  });
});
