import type { Spread } from '../measure.js';
import { exchangeOf, type HttpVariant, plaintextOf, V } from './catalogue.js';
import { roundRatios, type VariantOutcome } from './measure-http.js';

/**
 * The ratio table: what each variant costs against plaintext, and how cl1
 * compares with each other way of encrypting the same exchange. Every ratio
 * is a throughput ratio A ÷ B, taken per round between runs moments apart
 * and summarised as median [min–max]: once in requests/s, once in requests
 * per second of server CPU (B's CPU per request ÷ A's). Above 1, A serves
 * more.
 */

export type RatioKind = 'vs plaintext' | 'cl1 vs other' | 'session creation';

export interface RatioRow {
  /** "GET 1 KiB", "POST 64 KiB"... */
  readonly exchange: string;
  readonly kind: RatioKind;
  readonly variant: string;
  readonly versus: string;
  /** variant req/s ÷ versus req/s, per round; undefined where they ran under different loads. */
  readonly reqRatio: Spread | undefined;
  /** versus CPU per request ÷ variant CPU per request, per round: the same ratio counted in server CPU. */
  readonly cpuRatio: Spread | undefined;
}

const isCl1 = (v: HttpVariant) => v.scheme === 'cl1-session' || v.scheme === 'cl1-stateless';

function row(kind: RatioKind, a: VariantOutcome, b: VariantOutcome, byRequests = true): RatioRow {
  return {
    exchange: exchangeOf(a.variant) ?? 'session creation',
    kind,
    variant: a.variant.id,
    versus: b.variant.id,
    reqRatio: byRequests ? roundRatios(a.runs, b.runs, (r) => r.reqPerSec) : undefined,
    cpuRatio: roundRatios(b.runs, a.runs, (r) => r.cpuUs),
  };
}

/**
 * Session creations: the RSA pool against none (both one request at a time,
 * so the req/s ratio is the inverse of the latency ratio), and the cl1
 * handshake against each (by server CPU only: the handshake runs under load).
 */
function creationRows(byId: ReadonlyMap<string, VariantOutcome>): RatioRow[] {
  const pool = byId.get(V.rsaCreatePool);
  const noPool = byId.get(V.rsaCreateNoPool);
  const handshake = byId.get(V.handshake);
  const rows: RatioRow[] = [];
  if (pool !== undefined && noPool !== undefined) rows.push(row('session creation', pool, noPool));
  if (handshake !== undefined)
    for (const rsa of [pool, noPool])
      if (rsa !== undefined) rows.push(row('session creation', handshake, rsa, false));
  return rows;
}

/**
 * Every encrypted variant ÷ the plaintext variant of the same exchange, then
 * every cl1 variant ÷ every other encrypted variant of the same exchange
 * (floor, seeds, profiles); then the session creations. Broken variants and
 * variants without runs are left out.
 */
export function ratioRows(outcomes: readonly VariantOutcome[]): RatioRow[] {
  const measured = outcomes.filter((o) => o.broken === undefined && o.runs.length > 0);
  const usable = measured.filter((o) => exchangeOf(o.variant) !== undefined);
  const byId = new Map(usable.map((o) => [o.variant.id, o]));
  const rows: RatioRow[] = [];
  for (const o of usable) {
    const plain = byId.get(plaintextOf(o.variant) as string);
    if (plain !== undefined && plain !== o) rows.push(row('vs plaintext', o, plain));
  }
  for (const o of usable) {
    if (!isCl1(o.variant)) continue;
    const exchange = exchangeOf(o.variant);
    for (const other of usable) {
      if (
        exchangeOf(other.variant) !== exchange ||
        isCl1(other.variant) ||
        other.variant.scheme === 'plaintext'
      )
        continue;
      rows.push(row('cl1 vs other', o, other));
    }
  }
  rows.push(...creationRows(new Map(measured.map((o) => [o.variant.id, o]))));
  return rows;
}

/** The label of a row in the table and the chart: "GET floor" or "GET cl1 session ÷ GET floor". */
export function rowLabel(r: RatioRow): string {
  return r.kind === 'vs plaintext' ? r.variant : `${r.variant} ÷ ${r.versus}`;
}

export const RATIO_KINDS: readonly RatioKind[] = ['vs plaintext', 'cl1 vs other', 'session creation'];
