/** Prometheus counters from cipherlayer's events (needs the optional peer `prom-client`). */
export {
  type CipherlayerMetrics,
  createPrometheusMetrics,
  type PrometheusOptions,
} from './metrics/prometheus.js';
