import { CipherlayerError, errorRegistry } from '@cipherlayer/core';
import { asCipherlayerError, configError, type ErrorCode, type ErrorReply, errorReply } from './errors.js';
import type { Listener } from './events.js';
import { logSink } from './logger.js';
import { ProfileExchange } from './profile-exchange.js';
import type {
  EndpointAnswer,
  ProfileEndpoint,
  ProfileIntake,
  ProfileRequest,
  ProfileSpec,
  SealedAnswer,
} from './profile-spec.js';
import { Reporter } from './reporter.js';

type MaybePromise<T> = T | Promise<T>;

const INTAKES: readonly unknown[] = ['body', 'headers', 'plaintext'];

function endpointKey(method: string, path: string): string {
  return `${method} ${path}`;
}

function positiveInteger(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw configError(`profile ${name} must be a positive integer`);
}

function checkSpec(spec: ProfileSpec<never>): void {
  if (typeof spec !== 'object' || spec === null)
    throw configError('defineProfile needs a ProfileSpec object');
  const { name } = spec;
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(name) || name === 'cl1')
    throw configError('profile name must be lower-case letters, digits and dashes, and not "cl1"');
  positiveInteger(spec.maxWireBytes, 'maxWireBytes');
  positiveInteger(spec.maxBodyBytes, 'maxBodyBytes');
  if (typeof spec.vary !== 'string') throw configError('profile vary must be a string of header names');
  if (typeof spec.intake !== 'function' || typeof spec.open !== 'function')
    throw configError('a profile implements intake(request) and open(request, body, frameworkRequest)');
  for (const endpoint of spec.endpoints ?? []) {
    if (
      typeof endpoint?.method !== 'string' ||
      typeof endpoint.path !== 'string' ||
      !endpoint.path.startsWith('/') ||
      typeof endpoint.handle !== 'function' ||
      !Number.isSafeInteger(endpoint.maxBodyBytes) ||
      endpoint.maxBodyBytes < 0
    )
      throw configError(
        'a profile endpoint has a method, a path starting with "/", maxBodyBytes and handle()',
      );
  }
  for (const [code, status] of Object.entries(spec.statuses ?? {})) {
    if (!Object.hasOwn(errorRegistry, code) || !Number.isSafeInteger(status) || status < 400 || status > 599)
      throw configError('profile statuses map registry codes to HTTP statuses from 400 to 599');
  }
}

/** The replies of a profile: the registry's, with its own statuses where it has them. */
function replies(statuses: Readonly<Partial<Record<ErrorCode, number>>>): (code: ErrorCode) => ErrorReply {
  const own = new Map<ErrorCode, ErrorReply>();
  for (const [code, status] of Object.entries(statuses) as [ErrorCode, number][]) {
    own.set(code, Object.freeze({ ...errorReply(code), status }));
  }
  if (own.size === 0) return errorReply;
  return (code) => own.get(code) ?? errorReply(code);
}

/**
 * A profile as the adapters run it: a seed's wire format (from
 * `@cipherlayer/profiles`, or your own `ProfileSpec`) behind the same policy
 * model, error contract and logging rules as cl1. Made by `defineProfile`;
 * pass it to an adapter where you would pass the engine, alone or with it:
 *
 * ```ts
 * app.post('/api/transfer', cipherlayer(staticKey), handler);          // Express, one profile
 * app.use('/api', cipherlayer([engine, rsaSession], { policy }));       // cl1 and a profile, during a migration
 * ```
 */
export class Profile<in Request = unknown> {
  readonly #spec: ProfileSpec<Request>;
  readonly #report: Reporter;
  readonly #endpoints: ReadonlyMap<string, ProfileEndpoint<Request>>;

  readonly name: string;
  readonly maxWireBytes: number;
  readonly maxBodyBytes: number;
  readonly vary: string;
  readonly endpoints: readonly ProfileEndpoint<Request>[];

  /** Use `defineProfile`, which checks the spec first. */
  constructor(spec: ProfileSpec<Request>) {
    this.#spec = spec;
    this.#report = new Reporter(logSink(spec.logger), replies(spec.statuses ?? {}));
    this.name = spec.name;
    this.maxWireBytes = spec.maxWireBytes;
    this.maxBodyBytes = spec.maxBodyBytes;
    this.vary = spec.vary;
    this.endpoints = Object.freeze([...(spec.endpoints ?? [])]);
    this.#endpoints = new Map(this.endpoints.map((e) => [endpointKey(e.method, e.path), e]));
  }

  /** Refusals (`rejected`: code, status, framework request id) for metrics and audit. */
  on(name: 'rejected', listener: Listener<'rejected'>): this {
    this.#report.on(name, listener);
    return this;
  }

  off(name: 'rejected', listener: Listener<'rejected'>): this {
    this.#report.off(name, listener);
    return this;
  }

  // ---- for adapters ------------------------------------------------------------

  /** The endpoint a request names, if any (its query ignored). */
  endpoint(method: string, target: string): ProfileEndpoint<Request> | undefined {
    if (this.#endpoints.size === 0) return undefined;
    const query = target.indexOf('?');
    return this.#endpoints.get(endpointKey(method, query === -1 ? target : target.slice(0, query)));
  }

  intake(request: ProfileRequest, policy: 'require' | 'optional'): ProfileIntake {
    const intake = this.#spec.intake(request, policy);
    if (!INTAKES.includes(intake)) throw new CipherlayerError('ERR_INTERNAL');
    return intake;
  }

  /** Opens a request: the exchange, or null when it is plaintext. Throws (or rejects with) a CipherlayerError. */
  open(
    request: ProfileRequest,
    body: Uint8Array | undefined,
    frameworkRequest: Request,
    requestId: string | undefined,
  ): MaybePromise<ProfileExchange | null> {
    const form = body === undefined ? 'header' : 'binary';
    const opened = this.#spec.open(request, body, frameworkRequest);
    const exchange = (value: Awaited<typeof opened>): ProfileExchange | null =>
      value === null ? null : new ProfileExchange(this.name, value, request.method, form, requestId);
    return opened instanceof Promise ? opened.then(exchange) : exchange(opened);
  }

  /** Seals the app's answer, once: the sealed body, or null to send it unchanged. */
  seal(
    exchange: ProfileExchange,
    status: number,
    contentType: string,
    body: Uint8Array,
  ): MaybePromise<SealedAnswer | null> {
    if (exchange.settled) throw new CipherlayerError('ERR_INTERNAL');
    exchange.settled = true;
    const { sealer } = exchange.opened;
    if (sealer === undefined) return null;
    if (body.length > this.maxBodyBytes) throw new CipherlayerError('ERR_TOO_LARGE');
    return sealer.seal(status, contentType, body);
  }

  /** Runs one of the profile's endpoints. */
  serve(
    endpoint: ProfileEndpoint<Request>,
    request: ProfileRequest,
    body: Uint8Array,
    frameworkRequest: Request,
  ): MaybePromise<EndpointAnswer> {
    return endpoint.handle(request, body, frameworkRequest);
  }

  /** The plaintext error reply for a refused request; logged and reported. */
  reject(error: unknown, requestId: string | undefined): ErrorReply {
    return this.#report.rejected(error, requestId);
  }

  /** The app's answer could not be sealed: 500 ERR_INTERNAL, the reason in the log. */
  sealFailed(error: unknown, exchange: ProfileExchange, reason: string): ErrorReply {
    exchange.settled = true;
    return this.#report.sealFailed(asCipherlayerError(error), reason, exchange.frameworkRequestId);
  }
}

/** Checks a profile spec once and makes the object the adapters take. */
export function defineProfile<Request = unknown>(spec: ProfileSpec<Request>): Profile<Request> {
  checkSpec(spec as ProfileSpec<never>);
  return new Profile(spec);
}
