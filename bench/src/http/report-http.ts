import type { Spread } from '../measure.js';
import { formatMicros } from '../report.js';
import { type HttpSuite, type HttpVariant, KIB, sizeLabel } from './catalogue.js';
import type { TargetResult, VariantSummary } from './measure-http.js';
import type { HttpMode } from './mode.js';
import type { RatioRow } from './ratios.js';
import type { Framework } from './server/spec.js';

/** Markdown for the HTTP suites, in the style of the micro groups' tables (report.ts). */

export interface HttpSuiteResult {
  readonly suite: HttpSuite;
  readonly mode: HttpMode;
  readonly variants: readonly VariantSummary[];
  readonly targets: readonly TargetResult[];
  /** The ratio table (ratios.ts); absent when the suite could not run. */
  readonly ratios?: readonly RatioRow[];
  /** Set when the suite could not run (a server did not start, a variant failed its check). */
  readonly error?: string;
}

function range(s: Spread | undefined, format: (n: number) => string): string {
  return s === undefined ? '—' : `${format(s.median)} [${format(s.min)}–${format(s.max)}]`;
}

const whole = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const times = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)}×`;
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

const EXCHANGE: Record<Framework, { hook: string; wrapper: string }> = {
  fastify: { hook: 'an `onSend` hook (callback style)', wrapper: 'a `preSerialization` hook' },
  express: { hook: 'a `res.json` wrapper middleware', wrapper: 'a `res.json` wrapper middleware' },
};

/** What each variant is, exactly, on this framework: printed under the table. */
export function describeVariant(variant: HttpVariant, framework: Framework): string {
  const { hook, wrapper } = EXCHANGE[framework];
  const get = variant.request === 'GET';
  const size = sizeLabel(variant.bytes ?? KIB);
  const profileMount =
    framework === 'fastify'
      ? '`app.register(cipherlayerFastify, { profiles: [profile] })`'
      : '`app.use(cipherlayer(profile))`';
  switch (variant.scheme) {
    case 'plaintext':
      return get
        ? 'the route answers the 1 KiB JSON document; no hook.'
        : `POST of the document padded to ${size} as \`application/json\`; the route answers the parsed body.`;
    case 'floor':
      return get
        ? `the same answer sealed by one bare node:crypto AES-256-GCM call (\`createCipheriv\`, random IV, no AAD) in ${hook}, sent as a Buffer \`iv ‖ ciphertext ‖ tag\`; nothing else.`
        : `the ${size} request body \`iv ‖ ciphertext ‖ tag\` opened by one AES-256-GCM call in a content-type parser, then JSON.parse; the answer sealed as in GET floor: bare node:crypto AES-256-GCM over the same bytes.`;
    case 'seed002':
      return `seed 002: ${wrapper} returning \`{ data: base64(iv ‖ tag ‖ ciphertext) }\` of the JSON string, with the seed's \`encrypt\` helper and its key read from \`process.env.AES_KEY\` on every response, as the seed does.`;
    case 'cl1-session':
      return get
        ? '@cipherlayer/server with its defaults (memory session store, policy `require`); the GET carries a session message in the `Cipherlayer` header, pre-sealed by a node:crypto ClientProtocol, each sent once, spread over sessions handshaken over HTTP before the run.'
        : `as GET cl1 session, with the ${size} JSON sealed in an \`application/cipherlayer\` body; the route sees the plaintext and echoes it, sealed.`;
    case 'cl1-stateless':
      return get
        ? '@cipherlayer/server; each GET carries a fresh stateless message (HPKE X25519 to the server key) in the `Cipherlayer` header, sealed just before the run (well inside the default ±30 s `maxSkewMs`, which is not raised), each sent once.'
        : `@cipherlayer/server; each POST is a fresh stateless message (HPKE X25519 to the server key) with the ${size} JSON in an \`application/cipherlayer\` body, sealed just before the run, each sent once; the echo comes back sealed under the request's response key.`;
    case 'rsa-session':
      return `the rsa-session profile (seed 001) of @cipherlayer/profiles, defaults (compatible mode, memory store), mounted with ${profileMount}; one session created over HTTP before the run; each GET carries the session JWT, \`X-Device-Id\` and its own AES key wrapped to the session's RSA-2048 key (OAEP-SHA256) in \`Encrypted-Aes-Key\`, so the server does one RSA decryption per request; the answer is \`{encryptedData, iv, authTag}\` under that key. A pool of such requests is reused (compatible mode keeps no replay state).`;
    case 'rsa-create-pool':
    case 'rsa-create-no-pool':
      return variant.scheme === 'rsa-create-pool'
        ? "seed 001's phase 1 through the rsa-session profile with its RSA key pool (16 keys made ahead in a worker thread): POST of `{aesKey, deviceId}` to `/.well-known/cipherlayer/rsa-session`, answered with a JWT and the session's public key. Sent one at a time on one connection (a latency probe, not a load); the pool is full at the start of each run, and the CPU of refilling it (one RSA-2048 key per session, in the worker) is counted in the run."
        : "the same session creation with the pool replaced by one that generates each session's RSA-2048 key pair on the request path (`generateKeyPairSync`), as seed 001's server does. One at a time on one connection.";
    case 'static-key':
      return `the static-key profile (seed 002) of @cipherlayer/profiles with the seed's one static key, mounted with ${profileMount}: the JSON answer goes out as \`{"data": base64(iv ‖ tag ‖ ciphertext)}\` (AES-256-GCM), as seed 002's middleware writes it.`;
    case 'profile-jwe-p521':
    case 'profile-jwe-p256':
      return `the jwe profile (seed 004) of @cipherlayer/profiles, defaults (compatible mode), mounted with ${profileMount}: the GET carries a compact JWE (ECDH-ES on ${variant.scheme === 'profile-jwe-p521' ? 'P-521' : 'P-256'}, A256GCM, made with \`jose\`) in the \`Cipherlayer-JWE\` header, sealing no plaintext (the profile refuses a header token that carries any), decrypted under the profile's algorithm allowlists; the answer is plaintext, as the seed's (the client asked for no response key). A pool of distinct tokens is reused.`;
    case 'cl1-handshake':
      return 'POST of a pre-made handshake request (binary) to `/.well-known/cipherlayer/session`, each with a fresh client key; the server opens it, makes a session and stores it in its memory store.';
    case 'jwe-p521':
    case 'jwe-p256':
      return `seed 004: the GET carries a compact JWE (ECDH-ES on ${variant.scheme === 'jwe-p521' ? 'P-521' : 'P-256'}, A256GCM, made with \`jose\` 6) in a \`jwe\` header; ${framework === 'fastify' ? 'a `preHandler` hook' : 'a middleware'} decrypts it with \`compactDecrypt\` (key imported once) and the route answers the document in plaintext, as the seed's server does (no response encryption, no replay protection: a pool of distinct tokens is reused).`;
  }
}

function brokenCell(v: VariantSummary): string {
  return v.broken === undefined ? '' : ' **BROKEN**';
}

export function renderHttpSuite(result: HttpSuiteResult): string {
  const { suite, mode } = result;
  const lines = [
    `## ${suite.title} (\`${suite.name}\`)`,
    '',
    `Each variant is its own server process on 127.0.0.1, driven by autocannon from the bench process (${mode.connections} keep-alive connections, no pipelining), ` +
      `${mode.rounds} rounds of about ${mode.roundMs} ms per variant after ${mode.warmupMs} ms of warm-up, variants alternating within each round. ` +
      'Server CPU is the server process’s own process.cpuUsage() (user + system, all its threads) across the run, over the responses: ' +
      'the load generator shares the 2 cores, so requests/s moves with it, while CPU per request is the server’s cost alone. ' +
      '"÷ floor" columns are per-round ratios to the floor variant of the same request: req/s (above 1 is faster) and CPU per request (above 1 is more CPU). ' +
      'Session creations (rsa-session) are latency probes: one request at a time on one connection, so their p50 is the latency of one creation. ' +
      'Peak RSS is the server process’s getrusage maxrss at the end of its last run: its peak under this load.',
    '',
  ];
  if (result.error !== undefined) {
    lines.push(`**Not measured:** ${result.error}`, '');
    return lines.join('\n');
  }
  lines.push(
    '| variant | requests × rounds | req/s median [min–max] | ÷ floor (req/s) | server CPU µs/req median [min–max] | of which system | ÷ floor (CPU) | p50 ms | p99 ms | server peak RSS MiB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const v of result.variants) {
    lines.push(
      `| ${v.id}${brokenCell(v)} | ${whole(v.requests)} × ${v.rounds} | ${range(v.reqPerSec, whole)} | ${range(
        v.reqRatio,
        times,
      )} | ${range(v.cpuUs, formatMicros)} | ${v.sysUs === undefined ? '—' : formatMicros(v.sysUs.median)} | ${range(
        v.cpuRatio,
        times,
      )} | ${v.p50Ms === undefined ? '—' : ms(v.p50Ms.median)} | ${
        v.p99Ms === undefined ? '—' : ms(v.p99Ms.median)
      } | ${v.peakRssBytes === undefined ? '—' : mib(v.peakRssBytes)} |`,
    );
  }
  lines.push('');
  for (const v of result.variants)
    lines.push(`- **${v.id}**: ${describeVariant(v.variant, suite.framework)}`);
  for (const v of result.variants)
    if (v.broken !== undefined) lines.push(`- **${v.id} is BROKEN**: ${v.broken}`);
  lines.push('', ...renderTargets(result), '');
  return lines.join('\n');
}

function verdict(passed: boolean | undefined): string {
  if (passed === undefined) return '**FAIL** (not measured)';
  return passed ? '**PASS**' : '**FAIL**';
}

function renderTargets(result: HttpSuiteResult): string[] {
  if (result.targets.length === 0) return [];
  const lines = [
    `### Targets (\`${result.suite.name}\`)`,
    '',
    'A ratio target compares requests/s of two variants in the same round; the same ratio counted in server CPU per request is the baseline’s CPU over the variant’s (above the bar means the variant serves at least that many times the requests per CPU-second). The verdict is on requests/s, as the targets are written; the CPU column says whether CPU per request agrees.',
    '',
    '| target | req/s ratio median [min–max] | CPU-per-request ratio median [min–max] | result (req/s) | by CPU per request |',
    '|---|---:|---:|---|---|',
  ];
  for (const t of result.targets) {
    const isCpu = 'cpuBelowUs' in t.target;
    const first = isCpu ? `${range(t.cpuUs, formatMicros)} µs CPU` : range(t.reqRatio, times);
    const second = isCpu ? '—' : range(t.cpuRatio, times);
    const byCpu = isCpu || t.passedByCpu === undefined ? '—' : t.passedByCpu ? 'met' : 'not met';
    lines.push(`| ${t.target.label} | ${first} | ${second} | ${verdict(t.passed)} | ${byCpu} |`);
  }
  for (const t of result.targets)
    if (t.reason !== undefined) lines.push('', `- ${t.target.label}: ${t.reason}`);
  return lines;
}

/** One line per missed target, broken variant, or suite that could not run. */
export function httpFailures(results: readonly HttpSuiteResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.error !== undefined) {
      out.push(`${r.suite.name}: not measured (${r.error})`);
      continue;
    }
    for (const v of r.variants)
      if (v.broken !== undefined) out.push(`${r.suite.name} / ${v.id}: broken (${v.broken})`);
    for (const t of r.targets) {
      if (t.passed === true) continue;
      const measured =
        t.passed === undefined
          ? (t.reason ?? 'not measured')
          : 'cpuBelowUs' in t.target
            ? `CPU ${formatMicros(t.cpuUs?.median ?? Number.NaN)} µs`
            : `req/s ratio ${times(t.reqRatio?.median ?? Number.NaN)}, CPU ratio ${times(t.cpuRatio?.median ?? Number.NaN)}`;
      out.push(`${r.suite.name}: target "${t.target.label}" not met (${measured})`);
    }
  }
  return out;
}

/** Whether a suite's figures could not be produced at all (a broken benchmark rather than a finding). */
export function httpBroken(results: readonly HttpSuiteResult[]): boolean {
  return results.some((r) => r.error !== undefined || r.variants.some((v) => v.broken !== undefined));
}

export function renderHttpSummary(results: readonly HttpSuiteResult[]): string {
  const targets = results.flatMap((r) => r.targets);
  const met = targets.filter((t) => t.passed === true).length;
  const lines = ['## HTTP targets', ''];
  lines.push(
    met === targets.length
      ? `All ${targets.length} HTTP targets met.`
      : `${targets.length - met} of ${targets.length} HTTP targets NOT met.`,
  );
  for (const r of results) {
    for (const t of r.targets) lines.push(`- ${verdict(t.passed)} ${r.suite.name}: ${t.target.label}`);
  }
  const failed = httpFailures(results).filter((line) => !line.includes('target "'));
  if (failed.length > 0) lines.push('', ...failed.map((f) => `- BROKEN ${f}`));
  return `${lines.join('\n')}\n`;
}
