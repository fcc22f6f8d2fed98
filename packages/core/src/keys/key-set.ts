import { toBase64Url } from '../lib/bytes.js';
import { CipherlayerError, configError } from '../lib/errors.js';
import type { Flow } from '../lib/flow.js';
import { encodeKeyConfigList } from '../ohttp/key-config.js';
import { publicKeyPin } from './pin.js';
import { importServerKey, type PrivateKeyJwk, type PublicKeyJwk, type ServerKey } from './server-key.js';

/** The public document clients fetch to learn the server's keys. */
export interface DiscoveryDocument {
  protocol: 'cl1';
  keys: (PublicKeyJwk & { pin: string })[];
  /** The same keys as RFC 9458 `application/ohttp-keys` bytes, base64url. */
  ohttpKeys: string;
}

/** A key file: the private JWKs of a key set. */
export interface PrivateKeySetDocument {
  keys: PrivateKeyJwk[];
}

/**
 * The server's key pairs. New sessions and discovery prefer the newest key
 * valid now; every valid key opens messages, so a rotation overlaps: add the
 * new key, publish it, and let the old one run to its notAfter.
 */
export class ServerKeySet {
  readonly keys: readonly ServerKey[];

  constructor(keys: readonly ServerKey[]) {
    if (keys.length === 0) throw configError('a key set needs at least one key');
    const ids = new Set(keys.map((k) => k.keyId));
    if (ids.size !== keys.length) throw configError('key ids in a key set must be unique');
    this.keys = [...keys];
  }

  /** The newest key valid at `now` (latest notBefore, then highest id). */
  current(now: number): ServerKey {
    let best: ServerKey | undefined;
    for (const key of this.keys) {
      if (!key.isValidAt(now)) continue;
      if (
        best === undefined ||
        (key.notBefore ?? 0) > (best.notBefore ?? 0) ||
        ((key.notBefore ?? 0) === (best.notBefore ?? 0) && key.keyId > best.keyId)
      ) {
        best = key;
      }
    }
    if (best === undefined) throw new CipherlayerError('ERR_KEY_EXPIRED');
    return best;
  }

  /** The key a message names: unknown ids and keys outside their validity are rejected. */
  lookup(keyId: number, now: number): ServerKey {
    const key = this.keys.find((k) => k.keyId === keyId);
    if (key === undefined) throw new CipherlayerError('ERR_UNKNOWN_KEY');
    if (!key.isValidAt(now)) throw new CipherlayerError('ERR_KEY_EXPIRED');
    return key;
  }

  /** A new set with `key` added (rotation), dropping keys that expired before `now`. */
  withKey(key: ServerKey, now: number): ServerKeySet {
    return new ServerKeySet([...this.keys.filter((k) => k.notAfter === undefined || k.notAfter > now), key]);
  }

  /** The lowest key id not in use, for the next rotation. */
  nextKeyId(): number {
    for (let id = 0; id < 256; id++) if (!this.keys.some((k) => k.keyId === id)) return id;
    throw configError('all 256 key ids are in use; remove expired keys first');
  }

  toPrivateDocument(): PrivateKeySetDocument {
    return { keys: this.keys.map((k) => k.toPrivateJwk()) };
  }

  toJSON(): { keys: PublicKeyJwk[] } {
    return { keys: this.keys.map((k) => k.toPublicJwk()) };
  }

  /** The discovery document: keys valid now or later, newest first. */
  *discovery(now: number): Flow<DiscoveryDocument> {
    const published = this.keys
      .filter((k) => k.notAfter === undefined || k.notAfter > now)
      .sort((a, b) => (b.notBefore ?? 0) - (a.notBefore ?? 0) || b.keyId - a.keyId);
    const keys: DiscoveryDocument['keys'] = [];
    for (const key of published) {
      keys.push({ ...key.toPublicJwk(), pin: yield* publicKeyPin(key.suite.kem.curve, key.publicKey) });
    }
    const ohttp = encodeKeyConfigList(
      published.map((k) => ({
        keyId: k.keyId,
        kemId: k.suite.kem.id,
        publicKey: k.publicKey,
        algorithms: [{ kdfId: k.suite.kdf.id, aeadId: k.suite.aead.id }],
      })),
    );
    return { protocol: 'cl1', keys, ohttpKeys: toBase64Url(ohttp) };
  }
}

export function* importServerKeySet(document: PrivateKeySetDocument): Flow<ServerKeySet> {
  if (typeof document !== 'object' || document === null || !Array.isArray(document.keys)) {
    throw configError('a key set document is an object with a "keys" array');
  }
  const keys: ServerKey[] = [];
  for (const jwk of document.keys) keys.push(yield* importServerKey(jwk));
  return new ServerKeySet(keys);
}
