import { CipherlayerError } from '@cipherlayer/core';
import { defineProfile, type Logger, type Profile, type ProfileSpec } from '../../src/index.js';

/**
 * A profile for testing the plumbing, with no cryptography: the "sealed"
 * form of bytes is base64 of them reversed, in `{"mirror": …}`. A request
 * carries it in a JSON body, or announces itself with an `x-mirror` header
 * and no body. `{"mirror": "fail"}` is a decryption failure (answered 422,
 * as seed 004 does); `{"mirror": "!"}` is malformed.
 */
export function mirror(bytes: Uint8Array): string {
  return Buffer.from(bytes).reverse().toString('base64');
}

export function unmirror(text: string): Buffer {
  return Buffer.from(text, 'base64').reverse();
}

export interface MirrorOptions {
  logger?: Logger;
  maxBodyBytes?: number;
  /** The sealer throws for answers with this status. */
  failOnStatus?: number;
  /** Called when a handler revokes the session. */
  onRevoke?: () => void;
  /** Open asynchronously (as a profile with a store would). */
  async?: boolean;
}

export function mirrorProfile(options: MirrorOptions = {}): Profile<never> {
  const spec: ProfileSpec<unknown> = {
    name: 'mirror',
    maxWireBytes: 4096,
    maxBodyBytes: options.maxBodyBytes ?? 2048,
    vary: 'X-Mirror, Content-Type',
    statuses: { ERR_DECRYPT: 422 },
    logger: options.logger,
    intake(request) {
      if (request.header('x-mirror') !== undefined) return 'headers';
      const type = request.header('content-type') ?? '';
      return request.hasBody && type.startsWith('application/json') ? 'body' : 'plaintext';
    },
    open(request, body) {
      const sealer = {
        seal(status: number, _contentType: string, plain: Uint8Array) {
          if (status === options.failOnStatus) throw new CipherlayerError('ERR_INTERNAL');
          if (plain.length === 0) return null;
          return { contentType: 'application/json', body: JSON.stringify({ mirror: mirror(plain), status }) };
        },
      };
      const revoke = async () => options.onRevoke?.();
      const opened = () => {
        if (body === undefined) {
          return { contentType: '', body: new Uint8Array(0), details: { via: 'header' }, sealer, revoke };
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.from(body).toString('utf8'));
        } catch {
          return null;
        }
        const keys = typeof parsed === 'object' && parsed !== null ? Object.keys(parsed) : [];
        if (keys.length !== 1 || keys[0] !== 'mirror') return null;
        const text = (parsed as { mirror: unknown }).mirror;
        if (text === 'fail') throw new CipherlayerError('ERR_DECRYPT');
        if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
          throw new CipherlayerError('ERR_MALFORMED');
        return {
          contentType: 'application/json',
          body: unmirror(text),
          details: { via: 'body', method: request.method },
          sealer,
          revoke,
        };
      };
      return options.async ? Promise.resolve().then(opened) : opened();
    },
    endpoints: [
      {
        method: 'POST',
        path: '/mirror/session',
        maxBodyBytes: 64,
        handle(_request, body) {
          if (body.length === 0) throw new CipherlayerError('ERR_MALFORMED');
          return { status: 201, contentType: 'application/json', body: JSON.stringify({ got: body.length }) };
        },
      },
    ],
  };
  return defineProfile(spec) as Profile<never>;
}

/** A JSON value as the mirror profile's request body. */
export function mirrorBody(value: unknown): string {
  return JSON.stringify({ mirror: mirror(Buffer.from(JSON.stringify(value))) });
}

/** Opens a mirror-sealed answer. */
export function openMirror(body: Buffer): { value: unknown; status: number } {
  const parsed = JSON.parse(body.toString('utf8')) as { mirror: string; status: number };
  return { value: JSON.parse(unmirror(parsed.mirror).toString('utf8')), status: parsed.status };
}
