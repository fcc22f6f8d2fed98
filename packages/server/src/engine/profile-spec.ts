import type { ErrorCode } from './errors.js';
import type { Logger } from './logger.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * What a profile reads of a request before its body, the same on every
 * adapter. Header names are lower case; a repeated header reads as its
 * values joined with ", ".
 */
export interface ProfileRequest {
  readonly method: string;
  /** Path and query exactly as this server received them. */
  readonly target: string;
  header(name: string): string | undefined;
  /** The peer's address as the framework reports it (Express `req.ip`, Fastify `request.ip`); undefined on Web-standard handlers. */
  readonly remoteAddress: string | undefined;
  /** True when the request declares a body (a non-zero Content-Length, or a Transfer-Encoding). */
  readonly hasBody: boolean;
}

/**
 * What to do with a request, from its headers alone:
 * - `body`: read the body (up to `maxWireBytes`) and hand it to `open`;
 * - `headers`: call `open` without reading anything (a bodiless request, or
 *   a message carried in a header);
 * - `plaintext`: not this profile's message; the body is never read.
 */
export type ProfileIntake = 'body' | 'headers' | 'plaintext';

/** The answer of a profile's own endpoint (a session creation, a key set). */
export interface EndpointAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array | string;
}

/** A sealed response body and its media type. */
export interface SealedAnswer {
  readonly contentType: string;
  readonly body: Uint8Array | string;
}

/** Seals the app's answer to one opened request. */
export interface ResponseSealer {
  /**
   * The sealed body, or null to send the app's answer unchanged (a profile
   * that leaves empty bodies alone, as seed formats do). Throws a
   * CipherlayerError when the answer cannot be sealed: the client then gets
   * 500 ERR_INTERNAL in the clear, never the plaintext.
   */
  seal(status: number, contentType: string, body: Uint8Array): MaybePromise<SealedAnswer | null>;
}

/** A request a profile opened: the plaintext the app gets, and how to answer it. */
export interface OpenedByProfile {
  /** The plaintext's media type ('' when it has none). */
  readonly contentType: string;
  readonly body: Uint8Array;
  /** Non-secret facts the app may read (a device id, a key id); never a key or a token. */
  readonly details?: Readonly<Record<string, string>>;
  /** Absent when this request's answer goes out in the clear (a profile whose client asked for no sealing). */
  readonly sealer?: ResponseSealer;
  /** Ends the session this request belongs to, for profiles that have sessions. */
  revoke?(): Promise<void>;
}

/** A resource a profile serves itself (rsa-session's session creation, jwe's key set). */
export interface ProfileEndpoint<Request> {
  readonly method: string;
  /** Matched against the request target without its query. */
  readonly path: string;
  /** Largest request body read; 0 for endpoints without a body. */
  readonly maxBodyBytes: number;
  handle(request: ProfileRequest, body: Uint8Array, frameworkRequest: Request): MaybePromise<EndpointAnswer>;
}

/**
 * What a profile implements to plug into every adapter (the seed profiles in
 * `@cipherlayer/profiles` do). Adapters never look inside a message: they
 * ask `intake`, read at most `maxWireBytes`, call `open`, hand the app the
 * plaintext and seal its answer with the opened request's `sealer`. Every
 * failure is a CipherlayerError thrown (or rejected) by `intake`, `open`,
 * `seal` or an endpoint; anything else becomes 500 ERR_INTERNAL.
 */
export interface ProfileSpec<Request = unknown> {
  /** The profile's name, unique on a server ('rsa-session', 'static-key', 'jwe'); 'cl1' is reserved. */
  readonly name: string;
  /** Largest message read from a request body. */
  readonly maxWireBytes: number;
  /** Largest plaintext answer sealed. */
  readonly maxBodyBytes: number;
  /** The request headers that decide how a request is read: the Vary of a plaintext answer on an `optional` route. */
  readonly vary: string;
  /** How to read a request on a route of this policy (a bodiless request may be the profile's on `require` only). */
  intake(request: ProfileRequest, policy: 'require' | 'optional'): ProfileIntake;
  /**
   * Opens a request: the plaintext and its sealer, or null when the request
   * is not this profile's message after all (then it is plaintext: refused
   * on `require` routes, passed on `optional` ones with the body read).
   */
  open(
    request: ProfileRequest,
    body: Uint8Array | undefined,
    frameworkRequest: Request,
  ): MaybePromise<OpenedByProfile | null>;
  readonly endpoints?: readonly ProfileEndpoint<Request>[];
  /**
   * HTTP statuses this profile answers its refusals with, where its seed
   * differs from the registry (seed 004 answers every failure with 422).
   * The body stays the registry's code and message.
   */
  readonly statuses?: Readonly<Partial<Record<ErrorCode, number>>>;
  /** Where refusals are logged (codes and statuses only). */
  readonly logger?: Logger | undefined;
}
