import type { HpkeContext } from '../hpke/context.js';
import { expand, extract } from '../hpke/kdf.js';
import type { Suite } from '../hpke/suites.js';
import type { AeadKey } from '../lib/backend.js';
import { concat } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';
import { call, type Flow } from '../lib/flow.js';
import { labels } from './labels.js';

/** Raw session keys: what a store persists (spec/protocol.md, "Session keys"). */
export interface SessionKeyMaterial {
  readonly sessionId: Uint8Array;
  readonly suite: Suite;
  readonly c2sKey: Uint8Array;
  readonly c2sIv: Uint8Array;
  readonly s2cKey: Uint8Array;
  readonly s2cIv: Uint8Array;
}

/** Session keys imported into the backend: what the per-message path uses. */
export interface SessionKeys {
  readonly sessionId: Uint8Array;
  readonly suite: Suite;
  readonly c2s: { readonly key: AeadKey; readonly iv: Uint8Array };
  readonly s2c: { readonly key: AeadKey; readonly iv: Uint8Array };
}

/**
 * Both directions' keys from the ephemeral-ephemeral DH, salted with a
 * secret exported from the handshake's HPKE context. The DH gives forward
 * secrecy (nothing long-lived can recompute it); the salt ties the keys to
 * the server's static key and the whole handshake request.
 */
export function* deriveSessionKeys(
  context: HpkeContext,
  dh: Uint8Array,
  sessionId: Uint8Array,
  clientPublicKey: Uint8Array,
  serverPublicKey: Uint8Array,
): Flow<SessionKeyMaterial> {
  const { kdf, aead } = context.suite;
  const salt = yield* context.export(labels.session, kdf.nh);
  const prk = yield* extract(kdf.hash, salt, dh);
  const transcript = concat(sessionId, clientPublicKey, serverPublicKey);
  return {
    sessionId,
    suite: context.suite,
    c2sKey: yield* expand(kdf.hash, prk, concat(labels.c2sKey, transcript), aead.nk),
    c2sIv: yield* expand(kdf.hash, prk, concat(labels.c2sIv, transcript), aead.nn),
    s2cKey: yield* expand(kdf.hash, prk, concat(labels.s2cKey, transcript), aead.nk),
    s2cIv: yield* expand(kdf.hash, prk, concat(labels.s2cIv, transcript), aead.nn),
  };
}

export function* importSessionKeys(material: SessionKeyMaterial): Flow<SessionKeys> {
  const algorithm = material.suite.aead.algorithm;
  if (algorithm === undefined) throw new CipherlayerError('ERR_SUITE_NOT_ALLOWED');
  const c2sKey = yield* call((b) => b.importAeadKey(algorithm, material.c2sKey));
  const s2cKey = yield* call((b) => b.importAeadKey(algorithm, material.s2cKey));
  return {
    sessionId: material.sessionId,
    suite: material.suite,
    c2s: { key: c2sKey, iv: material.c2sIv },
    s2c: { key: s2cKey, iv: material.s2cIv },
  };
}
