/**
 * What the load generator sends for one variant. A request is a template
 * (method, path, fixed headers and body) and, for variants whose requests
 * must differ (cl1 messages are accepted once; seed 004 tokens are rotated),
 * a `next()` that gives the varying headers or body of each request from a
 * list prepared before the run, untimed, so the load generator only replays
 * bytes.
 */

export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** The part of a request that changes from one request to the next. */
export interface RequestVariation {
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

export interface RequestSource {
  readonly template: LoadRequest;
  /** The next request's varying part; absent when every request is the template. */
  readonly next?: () => RequestVariation;
  /** Untimed, before each run: `count` fresh single-use requests (nothing to do for reusable ones). */
  prepare(count: number): void | Promise<void>;
  /** Requests that found their single-use list exhausted (a broken run). */
  readonly overruns: number;
  /** Untimed, once: checks that the server answers what the variant claims (it decrypts to the document). */
  verify(origin: string): Promise<void>;
}

export class VerificationError extends Error {}

/** Throws unless `actual` is the expected text (the document's JSON, usually). */
export function expectText(actual: string, expected: string, what: string): void {
  if (actual !== expected)
    throw new VerificationError(
      `${what}: the answer is not what was expected (${actual.length} characters, expected ${expected.length})`,
    );
}

export function expectStatus(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new VerificationError(`${what}: status ${actual}, expected ${expected}`);
}

/** Bytes as a fetch body (TypeScript's BodyInit wants an ArrayBuffer-backed view; these all are). */
export function fetchBody(bytes: Uint8Array): BodyInit {
  return bytes as Uint8Array<ArrayBuffer>;
}
