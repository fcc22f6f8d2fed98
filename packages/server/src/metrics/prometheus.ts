import type { Counter, Registry } from 'prom-client';
import type { Cipherlayer } from '../engine/cipherlayer.js';
import { configError } from '../engine/errors.js';
import type { EventName } from '../engine/events.js';

type PromClient = typeof import('prom-client');

export interface PrometheusOptions {
  /** Where the counters go. Default: prom-client's global registry (what most `/metrics` routes expose). */
  registry?: Registry;
  /** Metric name prefix. Default `cipherlayer_`. */
  prefix?: string;
}

export interface CipherlayerMetrics {
  readonly registry: Registry;
  /** The registry in the Prometheus text format, and its content type. */
  metrics(): Promise<string>;
  readonly contentType: string;
  /** Stops counting (removes the event listeners). */
  stop(): void;
}

/** prom-client is an optional peer: it is loaded only here, when metrics are asked for. */
async function loadPromClient(): Promise<PromClient> {
  try {
    const module = await import('prom-client');
    return (
      module.Counter === undefined ? (module as unknown as { default: PromClient }).default : module
    ) as PromClient;
  } catch (cause) {
    const error = configError('createPrometheusMetrics needs prom-client: npm install prom-client');
    throw Object.assign(error, { cause });
  }
}

interface CounterSpec {
  event: EventName;
  name: string;
  help: string;
  /** Event members used as labels (never `requestId`: one series per request would be a leak and a flood). */
  labels: readonly string[];
}

const SPECS = [
  { event: 'opened', name: 'opened_total', help: 'cl1 requests opened', labels: ['kind', 'form'] },
  { event: 'sealed', name: 'sealed_total', help: 'responses sealed', labels: ['kind', 'encoding'] },
  { event: 'rejected', name: 'rejected_total', help: 'requests refused, by error code', labels: ['code'] },
  { event: 'replayed', name: 'replayed_total', help: 'replays refused', labels: ['kind'] },
  { event: 'handshake', name: 'handshakes_total', help: 'sessions granted', labels: ['encoding'] },
  { event: 'revoked', name: 'revoked_total', help: 'sessions revoked', labels: ['by'] },
] as const satisfies readonly CounterSpec[];

/**
 * Prometheus counters fed by the engine's events: opened, sealed, rejected
 * (by code), replayed, handshakes, revoked. Labels are low-cardinality
 * (kinds, encodings, error codes); no request data reaches them.
 *
 * ```ts
 * const metrics = await createPrometheusMetrics(engine);
 * app.get('/metrics', async (req, res) => res.type(metrics.contentType).send(await metrics.metrics()));
 * ```
 */
export async function createPrometheusMetrics(
  engine: Cipherlayer<never>,
  options: PrometheusOptions = {},
): Promise<CipherlayerMetrics> {
  const prefix = options.prefix ?? 'cipherlayer_';
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix))
    throw configError('prefix must be a valid Prometheus metric name prefix');
  const prom = await loadPromClient();
  const registry = options.registry ?? prom.register;
  const detach: (() => void)[] = [];
  for (const spec of SPECS) {
    const name = `${prefix}${spec.name}`;
    const counter = (registry.getSingleMetric(name) ??
      new prom.Counter({
        name,
        help: spec.help,
        labelNames: spec.labels,
        registers: [registry],
      })) as Counter<string>;
    const listener = (event: Record<string, unknown>): void => {
      const labels: Record<string, string> = {};
      for (const label of spec.labels) labels[label] = String(event[label]);
      counter.inc(labels);
    };
    engine.on(spec.event, listener);
    detach.push(() => engine.off(spec.event, listener));
  }
  return {
    registry,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
    stop: () => {
      for (const off of detach) off();
    },
  };
}
