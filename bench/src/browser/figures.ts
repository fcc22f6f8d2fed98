import { type Spread, spread } from '../measure.js';

/**
 * The browser figures: time per request of each variant, per round, and
 * what encryption adds to it, against plain fetch of the same request in
 * the same round. Pure, so the bench's tests check it.
 */

export interface BrowserVariant {
  /** "GET plaintext", "POST cl1 session"... */
  readonly id: string;
  readonly transport: 'plaintext' | 'cl1 session' | 'cl1 stateless';
  readonly method: 'GET' | 'POST';
}

export interface BrowserRuns {
  readonly variant: BrowserVariant;
  /** Milliseconds per request, one per round. */
  readonly msPerRequest: readonly number[];
}

export interface BrowserSummary {
  readonly variant: BrowserVariant;
  readonly msPerRequest: Spread;
  /** This variant's time ÷ plain fetch's, per round (undefined for plain fetch). */
  readonly timeRatio: Spread | undefined;
  /** Milliseconds added per request, per round. */
  readonly addedMs: Spread | undefined;
}

export const BROWSER_VARIANTS: readonly BrowserVariant[] = (['GET', 'POST'] as const).flatMap((method) =>
  (['plaintext', 'cl1 session', 'cl1 stateless'] as const).map((transport) => ({
    id: `${method} ${transport}`,
    transport,
    method,
  })),
);

/** Each variant against the plain fetch of the same method, round by round (rounds both ran). */
export function summariseBrowser(runs: readonly BrowserRuns[]): BrowserSummary[] {
  return runs.map((r) => {
    const plain = runs.find(
      (p) => p.variant.transport === 'plaintext' && p.variant.method === r.variant.method,
    );
    const base = plain === undefined || plain === r ? undefined : plain.msPerRequest;
    const rounds = base === undefined ? 0 : Math.min(base.length, r.msPerRequest.length);
    const per = (f: (mine: number, theirs: number) => number) =>
      rounds === 0
        ? undefined
        : spread(
            Array.from({ length: rounds }, (_, i) => f(r.msPerRequest[i] as number, base?.[i] as number)),
          );
    return {
      variant: r.variant,
      msPerRequest: spread(r.msPerRequest),
      timeRatio: per((mine, theirs) => mine / theirs),
      addedMs: per((mine, theirs) => mine - theirs),
    };
  });
}
