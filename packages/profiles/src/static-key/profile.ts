import { CipherlayerError } from '@cipherlayer/core';
import type {
  Logger,
  OpenedByProfile,
  ProfileRequest,
  ProfileSpec,
  ResponseSealer,
} from '@cipherlayer/server';
import { isJsonMediaType, readEnvelope } from '../lib/json-envelope.js';
import { after } from '../stores/guarded-store.js';
import { openData, sealData, splitData } from './envelope.js';
import type { StaticKeySessions } from './sessions.js';

type MaybePromise<T> = T | Promise<T>;

const EMPTY = new Uint8Array(0);
const FIELDS = ['data'] as const;

/** Where a request's keys come from: the fixed list, or the session the app names. */
export type KeySource<Request> =
  | { readonly kind: 'static'; readonly keys: readonly Uint8Array[] }
  | {
      readonly kind: 'sessions';
      readonly sessions: StaticKeySessions;
      readonly keyId: (request: Request, view: ProfileRequest) => MaybePromise<string | undefined>;
    };

export interface StaticKeySpecOptions<Request> {
  readonly name: string;
  readonly source: KeySource<Request>;
  readonly maxBodyBytes: number;
  readonly logger: Logger | undefined;
}

/** The seed's `encryptResponse`, for every way a route answers: JSON answers as `{ data }`. */
function sealerFor(key: Uint8Array): ResponseSealer {
  return {
    seal(_status, contentType, body) {
      if (body.length === 0) return null;
      // The seed's clients JSON.parse what they open: anything else cannot be sealed in this format.
      if (!isJsonMediaType(contentType)) throw new CipherlayerError('ERR_INTERNAL');
      return { contentType: 'application/json', body: `{"data":"${sealData(key, body)}"}` };
    },
  };
}

interface RequestKeys {
  readonly keys: readonly Uint8Array[];
  /** Sessions: the id and expiry, for the replay check and revocation. */
  readonly session?: { readonly keyId: string; readonly expiresAt: number };
}

function keysOf<Request>(
  source: KeySource<Request>,
  view: ProfileRequest,
  request: Request,
): MaybePromise<RequestKeys> {
  if (source.kind === 'static') return { keys: source.keys };
  return after(source.keyId(request, view), (keyId) => {
    if (typeof keyId !== 'string') throw new CipherlayerError('ERR_SESSION_UNKNOWN');
    return after(source.sessions.lookup(keyId), (found) => ({
      keys: [found.key],
      session: { keyId, expiresAt: found.expiresAt },
    }));
  });
}

/**
 * The static-key profile (seed 002): responses wrapped as
 * `{ data: base64(iv ‖ tag ‖ ciphertext) }`, and, mirrored, request bodies
 * accepted in the same envelope. A bodiless request on a `require` route is
 * answered sealed (the seed's GET); on an `optional` one, when it says
 * `Cipherlayer-Profile: static-key`.
 */
export function staticKeySpec<Request>(options: StaticKeySpecOptions<Request>): ProfileSpec<Request> {
  const { name, source, maxBodyBytes } = options;
  const revokeFor = (keys: RequestKeys) => {
    const { session } = keys;
    if (session === undefined || source.kind !== 'sessions') return undefined;
    return () => source.sessions.revoke(session.keyId);
  };
  const opened = (
    keys: RequestKeys,
    contentType: string,
    body: Uint8Array,
    key: Uint8Array,
  ): OpenedByProfile => {
    const revoke = revokeFor(keys);
    return {
      contentType,
      body,
      details: keys.session === undefined ? {} : { keyId: keys.session.keyId },
      sealer: sealerFor(key),
      ...(revoke === undefined ? {} : { revoke }),
    };
  };
  return {
    name,
    maxBodyBytes,
    // The envelope of the largest body: base64 of 28 + maxBodyBytes bytes, in {"data":"…"}.
    maxWireBytes: Math.ceil(((maxBodyBytes + 28) * 4) / 3) + 64,
    vary: 'Content-Type, Cipherlayer-Profile',
    logger: options.logger,
    intake(view, policy) {
      if (view.hasBody) return isJsonMediaType(view.header('content-type')) ? 'body' : 'plaintext';
      return policy === 'require' || view.header('cipherlayer-profile') === name ? 'headers' : 'plaintext';
    },
    open(view, body, request) {
      // Not the envelope: plaintext, found before any key lookup (no 401 for a plaintext body).
      const envelope = body === undefined ? undefined : readEnvelope(body, FIELDS);
      if (envelope === null) return null;
      return after(keysOf(source, view, request), (keys) => {
        const key = keys.keys[0] as Uint8Array;
        if (envelope === undefined) return opened(keys, '', EMPTY, key);
        const parts = splitData(envelope.data);
        const found = openData(keys.keys, parts);
        const { session } = keys;
        if (session === undefined) return opened(keys, 'application/json', found.plaintext, found.key);
        const sessions = (source as Extract<KeySource<Request>, { kind: 'sessions' }>).sessions;
        return after(sessions.remember(session.keyId, parts.iv, session.expiresAt), () =>
          opened(keys, 'application/json', found.plaintext, found.key),
        );
      });
    },
  };
}
