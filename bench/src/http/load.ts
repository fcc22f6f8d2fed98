/// <reference path="./autocannon.d.ts" />
import autocannon, { type AutocannonRequest } from 'autocannon';
import type { RequestSource } from './source.js';

/**
 * One bounded run of the load generator (autocannon's programmatic API, in
 * this process): exactly `amount` requests over `connections` keep-alive
 * connections, no pipelining. Wall time and latency are taken from the
 * response events, to the microsecond: autocannon's own figures are whole
 * milliseconds, and its run only ends on its next sampling tick.
 */

export interface LoadRun {
  readonly requested: number;
  /** Responses received, whatever their status. */
  readonly responses: number;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /** From the start of the run to its last response. */
  readonly wallMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface LoadOptions {
  readonly port: number;
  readonly source: RequestSource;
  readonly amount: number;
  readonly connections: number;
  /** The run is stopped after this long, whatever it has done (and then reported as broken). */
  readonly timeoutMs: number;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

function autocannonRequest(source: RequestSource): AutocannonRequest {
  const { template, next } = source;
  const request: AutocannonRequest = {
    method: template.method,
    path: template.path,
    headers: { ...template.headers },
  };
  if (template.body !== undefined) request.body = template.body;
  if (next !== undefined) {
    request.setupRequest = (built) => {
      const variation = next();
      // A copy: autocannon writes Content-Length into the headers object it is given.
      if (variation.headers !== undefined) built.headers = { ...variation.headers };
      if (variation.body !== undefined) built.body = variation.body;
      return built;
    };
  }
  return request;
}

export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const { amount, connections } = options;
  if (amount < connections)
    throw new Error(`a run needs at least one request per connection (${connections})`);
  const latencies = new Float64Array(amount);
  let responses = 0;
  let non2xx = 0;
  let last = 0;
  const start = performance.now();
  const instance = autocannon({
    url: `http://127.0.0.1:${options.port}`,
    connections,
    pipelining: 1,
    amount,
    timeout: 10,
    sampleInt: 50,
    requests: [autocannonRequest(options.source)],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
    if (responses < amount) latencies[responses] = responseTimeMs;
    responses++;
    if (status < 200 || status > 299) non2xx++;
    last = performance.now();
  });
  const watchdog = setTimeout(() => instance.stop(), options.timeoutMs);
  let result: Awaited<typeof instance>;
  try {
    result = await instance;
  } finally {
    clearTimeout(watchdog);
  }
  const measured = latencies.subarray(0, Math.min(responses, amount)).sort();
  return {
    requested: amount,
    responses,
    non2xx,
    errors: result.errors + result.timeouts,
    wallMs: (responses > 0 ? last : performance.now()) - start,
    p50Ms: percentile(measured, 50),
    p99Ms: percentile(measured, 99),
  };
}
