import type { ServerResponse } from 'node:http';
import { CipherlayerError } from '@cipherlayer/core';
import type { Cipherlayer } from '../../engine/cipherlayer.js';
import type { ErrorReply } from '../../engine/errors.js';
import type { Exchange } from '../../engine/exchange.js';
import { SEALED_CACHE_CONTROL, sealedStatus, withVary, withVaryOf } from '../../engine/http-rules.js';
import { mediaTypeFor } from '../../engine/media.js';
import type { Profile } from '../../engine/profile.js';
import type { ProfileExchange } from '../../engine/profile-exchange.js';
import type { SealedAnswer } from '../../engine/profile-spec.js';
import { sendErrorReply } from './send.js';

/**
 * Seals every way an Express route can answer. `res.json`, `res.send`,
 * `res.sendFile`, `res.redirect`, streams piped into `res`: all of them end
 * in `writeHead`, `write` and `end`, which are replaced on this one response
 * and buffer the plaintext (up to maxBodyBytes, as compression middleware
 * does), then seal it once at `end`. Nothing reaches the socket before that.
 *
 * The replacements are shared functions reading their state from the
 * response, so wrapping a response allocates one state object, no closures.
 * The state object is a `Cl1Sealer` or a `ProfileSealer`: they differ only
 * in how the buffered body is sealed and labelled.
 */
const kSealer = Symbol('cipherlayer.sealer');

/**
 * Set while the route runs so that Express does not compute an ETag over the
 * plaintext (a hash of it, readable in the clear); removed when sealing.
 */
const ETAG_PLACEHOLDER = 'W/"cipherlayer"';

const BUFFERING = 0;
/** Inside the original `end`: Node's own `writeHead` call must reach the original. */
const FINISHING = 1;
const DONE = 2;

type Method = (...args: never[]) => unknown;
type SealableResponse = ServerResponse & { [kSealer]?: Sealer };
type Callback = (error?: Error | null) => void;

abstract class Sealer {
  state = BUFFERING;
  chunks: Buffer[] = [];
  length = 0;

  constructor(
    readonly limit: number,
    readonly res: ServerResponse,
    readonly writeHead: Method,
    readonly write: Method,
    readonly end: Method,
  ) {}

  /** The sealed body, or null to send the plaintext unchanged. Throws when it cannot be sealed. */
  protected abstract sealBody(
    status: number,
    contentType: string,
    body: Buffer,
  ): Uint8Array | string | null | Promise<Uint8Array | string | null>;
  /** Sets the status and the headers that describe the sealed body. */
  protected abstract describeSealed(res: ServerResponse): void;
  /** The error reply for an answer that cannot be sealed (logged and reported). */
  protected abstract failure(error: unknown, reason: string): ErrorReply;
  /** Marks the exchange answered. */
  protected abstract settle(): void;

  /** Buffers a chunk; over the limit, answers 500 instead (the response could never be sealed). */
  collect(chunk: unknown, encoding: unknown): void {
    if (chunk === undefined || chunk === null) return;
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, (encoding as BufferEncoding | undefined) ?? 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(
              (chunk as Uint8Array).buffer,
              (chunk as Uint8Array).byteOffset,
              (chunk as Uint8Array).length,
            );
    this.length += bytes.length;
    if (this.length > this.limit) {
      this.chunks = [];
      this.fail(new CipherlayerError('ERR_TOO_LARGE'), 'response body over maxBodyBytes');
      return;
    }
    this.chunks.push(bytes);
  }

  finish(callback: Callback | undefined): void {
    const { res } = this;
    if (res.getHeader('content-encoding') !== undefined) {
      this.fail(
        new CipherlayerError('ERR_CONFIG'),
        'the body was compressed inside cipherlayer: mount compression before (outside) it',
        callback,
      );
      return;
    }
    const body =
      this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.length);
    this.chunks = [];
    const contentType = res.getHeader('content-type');
    let sealed: Uint8Array | string | null | Promise<Uint8Array | string | null>;
    try {
      sealed = this.sealBody(res.statusCode, contentType === undefined ? '' : String(contentType), body);
    } catch (error) {
      this.fail(error, 'sealing failed', callback);
      return;
    }
    if (sealed instanceof Promise) {
      sealed.then(
        (value) => this.send(value, body, callback),
        (error: unknown) => this.fail(error, 'sealing failed', callback),
      );
    } else {
      this.send(sealed, body, callback);
    }
  }

  send(sealed: Uint8Array | string | null, plaintext: Buffer, callback: Callback | undefined): void {
    const { res } = this;
    if (sealed === null) {
      // Left alone by the profile (an empty body): out as the app made it, minus the placeholder.
      if (res.getHeader('etag') === ETAG_PLACEHOLDER) res.removeHeader('etag');
      this.callEnd(plaintext, callback);
      return;
    }
    this.describeSealed(res);
    res.setHeader('content-length', typeof sealed === 'string' ? Buffer.byteLength(sealed) : sealed.length);
    res.setHeader('cache-control', SEALED_CACHE_CONTROL);
    res.removeHeader('etag');
    res.removeHeader('transfer-encoding');
    this.callEnd(sealed, callback);
  }

  /** Answers in the clear with cipherlayer's error instead of the app's response. */
  fail(error: unknown, reason: string, callback?: Callback): void {
    const reply = this.failure(error, reason);
    this.refuse(reply, callback);
  }

  refuse(reply: ErrorReply, callback?: Callback): void {
    const { res } = this;
    this.settle();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const name of ['etag', 'content-encoding', 'transfer-encoding', 'vary']) res.removeHeader(name);
    this.state = FINISHING;
    try {
      sendErrorReply(res, reply, this.end as (body: string) => void);
    } finally {
      this.state = DONE;
    }
    if (callback !== undefined) process.nextTick(callback);
  }

  callEnd(body: Uint8Array | string, callback: Callback | undefined): void {
    this.state = FINISHING;
    try {
      if (callback === undefined) Reflect.apply(this.end, this.res, [body]);
      else Reflect.apply(this.end, this.res, [body, callback]);
    } finally {
      this.state = DONE;
    }
  }
}

/** A cl1 exchange: sealed by the engine, labelled with the cl1 media type of its encoding. */
class Cl1Sealer extends Sealer {
  constructor(
    readonly engine: Cipherlayer<never>,
    readonly exchange: Exchange,
    res: ServerResponse,
    writeHead: Method,
    write: Method,
    end: Method,
  ) {
    super(engine.maxBodyBytes, res, writeHead, write, end);
  }

  protected sealBody(status: number, contentType: string, body: Buffer) {
    return this.engine.seal(this.exchange, status, contentType, body);
  }

  protected describeSealed(res: ServerResponse): void {
    res.statusCode = sealedStatus(res.statusCode);
    res.setHeader('content-type', mediaTypeFor(this.exchange.encoding));
    res.setHeader('vary', withVary(res.getHeader('vary')));
  }

  protected failure(error: unknown, reason: string): ErrorReply {
    return this.engine.sealFailed(error, this.exchange, reason);
  }

  protected settle(): void {
    this.exchange.settled = true;
  }
}

/** A profile's exchange: sealed in the profile's format, under the status the app set. */
class ProfileSealer extends Sealer {
  #contentType = '';

  constructor(
    readonly profile: Profile<never>,
    readonly exchange: ProfileExchange,
    res: ServerResponse,
    writeHead: Method,
    write: Method,
    end: Method,
  ) {
    super(profile.maxBodyBytes, res, writeHead, write, end);
  }

  protected sealBody(status: number, contentType: string, body: Buffer) {
    const label = (answer: SealedAnswer | null): Uint8Array | string | null => {
      if (answer === null) return null;
      this.#contentType = answer.contentType;
      return answer.body;
    };
    const sealed = this.profile.seal(this.exchange, status, contentType, body);
    return sealed instanceof Promise ? sealed.then(label) : label(sealed);
  }

  protected describeSealed(res: ServerResponse): void {
    res.setHeader('content-type', this.#contentType);
    res.setHeader('vary', withVaryOf(res.getHeader('vary'), this.profile.vary));
  }

  protected failure(error: unknown, reason: string): ErrorReply {
    return this.profile.sealFailed(error, this.exchange, reason);
  }

  protected settle(): void {
    this.exchange.settled = true;
  }
}

function sealerOf(res: ServerResponse): Sealer {
  return (res as SealableResponse)[kSealer] as Sealer;
}

function applyHeaders(res: ServerResponse, headers: unknown): void {
  if (headers === undefined || headers === null) return;
  if (Array.isArray(headers)) {
    if (Array.isArray(headers[0])) {
      for (const [name, value] of headers as [string, string][]) res.setHeader(name, value);
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2)
        res.setHeader(String(headers[i]), headers[i + 1] as string);
    }
    return;
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | string[] | number>)) {
    if (value !== undefined) res.setHeader(name, value);
  }
}

function sealingWriteHead(this: ServerResponse, ...args: unknown[]): ServerResponse {
  const sealer = sealerOf(this);
  if (sealer.state === FINISHING) return Reflect.apply(sealer.writeHead, this, args) as ServerResponse;
  if (sealer.state === DONE) return this;
  const [status, reason, headers] = args;
  this.statusCode = status as number;
  if (typeof reason === 'string') {
    this.statusMessage = reason;
    applyHeaders(this, headers);
  } else {
    applyHeaders(this, reason);
  }
  return this;
}

function sealingWrite(this: ServerResponse, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
  const sealer = sealerOf(this);
  if (sealer.state === FINISHING)
    return Reflect.apply(sealer.write, this, [chunk, encoding, callback]) as boolean;
  let done = callback;
  if (typeof encoding === 'function') {
    done = encoding;
    encoding = undefined;
  }
  if (sealer.state === BUFFERING) sealer.collect(chunk, encoding);
  if (typeof done === 'function') process.nextTick(done as () => void);
  // Always ready for more: a pipe waiting for 'drain' would never get it.
  return true;
}

function sealingEnd(
  this: ServerResponse,
  chunk?: unknown,
  encoding?: unknown,
  callback?: unknown,
): ServerResponse {
  const sealer = sealerOf(this);
  if (sealer.state === FINISHING)
    return Reflect.apply(sealer.end, this, [chunk, encoding, callback]) as ServerResponse;
  let done = callback;
  let data = chunk;
  if (typeof data === 'function') {
    done = data;
    data = undefined;
  } else if (typeof encoding === 'function') {
    done = encoding;
    encoding = undefined;
  }
  const onDone = typeof done === 'function' ? (done as Callback) : undefined;
  if (sealer.state === BUFFERING) sealer.collect(data, encoding);
  if (sealer.state === BUFFERING) sealer.finish(onDone);
  else if (onDone !== undefined) process.nextTick(onDone);
  return this;
}

/** Headers cannot go out before the body is sealed. */
function holdHeaders(): void {}

/** From here on, whatever the route writes to `res` is buffered and sealed at `end`. */
export function sealResponses(engine: Cipherlayer<never>, exchange: Exchange, res: ServerResponse): void {
  install(
    res,
    new Cl1Sealer(engine, exchange, res, res.writeHead as Method, res.write as Method, res.end as Method),
  );
}

/** The same for a request a profile opened: its answer is sealed in the profile's format. */
export function sealProfileResponses(
  profile: Profile<never>,
  exchange: ProfileExchange,
  res: ServerResponse,
): void {
  install(
    res,
    new ProfileSealer(
      profile,
      exchange,
      res,
      res.writeHead as Method,
      res.write as Method,
      res.end as Method,
    ),
  );
}

function install(res: ServerResponse, sealer: Sealer): void {
  (res as SealableResponse)[kSealer] = sealer;
  res.writeHead = sealingWriteHead as ServerResponse['writeHead'];
  res.write = sealingWrite as ServerResponse['write'];
  res.end = sealingEnd as ServerResponse['end'];
  res.flushHeaders = holdHeaders;
  if (!res.hasHeader('etag')) res.setHeader('etag', ETAG_PLACEHOLDER);
}

/** Refuses an opened request in the clear, bypassing the sealing of its response. */
export function refuseSealed(res: ServerResponse, reply: ErrorReply): boolean {
  const sealer = (res as SealableResponse)[kSealer];
  if (sealer === undefined || sealer.state !== BUFFERING) return false;
  sealer.refuse(reply);
  return true;
}
