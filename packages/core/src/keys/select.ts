import type { ServerPublicKey } from '../cl1/stateless.js';
import { hpkeSuite, P256_SHA256_AES256GCM, type Suite, X25519_SHA256_AES256GCM } from '../hpke/suites.js';
import type { DhCurve } from '../lib/backend.js';
import { concat, fromBase64Url } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';
import type { Flow } from '../lib/flow.js';
import { publicKeyPin } from './pin.js';

/** The suites a client or server accepts unless told otherwise: no downgrade below these. */
export const DEFAULT_SUITES: readonly Suite[] = [X25519_SHA256_AES256GCM, P256_SHA256_AES256GCM];

export interface PublishedKey extends ServerPublicKey {
  readonly notBefore?: number;
  readonly notAfter?: number;
  readonly pin: string;
}

function field(value: unknown, name: string): string {
  if (typeof value !== 'string')
    throw new CipherlayerError('ERR_MALFORMED', { detail: `discovery key without ${name}` });
  return value;
}

function time(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const t = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t)) throw new CipherlayerError('ERR_MALFORMED');
  return t;
}

/** Parses a discovery document from the network. Pins are recomputed from the keys, never read. */
export function* readDiscoveryKeys(document: unknown): Flow<PublishedKey[]> {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if ((document as { protocol?: unknown } | null)?.protocol !== 'cl1' || !Array.isArray(keys)) {
    throw new CipherlayerError('ERR_MALFORMED');
  }
  const out: PublishedKey[] = [];
  for (const entry of keys as Record<string, unknown>[]) {
    const hpke = entry?.hpke as { kem?: unknown; kdf?: unknown; aead?: unknown } | undefined;
    let suite: Suite;
    try {
      suite = hpkeSuite(Number(hpke?.kem), Number(hpke?.kdf), Number(hpke?.aead));
    } catch {
      continue; // A key in a suite this client does not know is skipped, not fatal.
    }
    const keyId =
      typeof entry.kid === 'string' && /^(0|[1-9][0-9]{0,2})$/.test(entry.kid) ? Number(entry.kid) : -1;
    if (keyId < 0 || keyId > 255 || out.some((k) => k.keyId === keyId))
      throw new CipherlayerError('ERR_MALFORMED');
    const curve: DhCurve = suite.kem.curve;
    if (entry.crv !== curve || (entry.use !== undefined && entry.use !== 'enc'))
      throw new CipherlayerError('ERR_MALFORMED');
    const x = fromBase64Url(field(entry.x, 'x'));
    const publicKey =
      curve === 'X25519' ? x : concat(Uint8Array.of(4), x, fromBase64Url(field(entry.y, 'y')));
    if (publicKey.length !== suite.kem.nPk) throw new CipherlayerError('ERR_MALFORMED');
    const key: PublishedKey = {
      keyId,
      suite,
      publicKey,
      pin: yield* publicKeyPin(curve, publicKey),
      ...optionalTimes(time(entry.notBefore), time(entry.notAfter)),
    };
    out.push(key);
  }
  return out;
}

function optionalTimes(notBefore: number | undefined, notAfter: number | undefined) {
  return {
    ...(notBefore === undefined ? {} : { notBefore }),
    ...(notAfter === undefined ? {} : { notAfter }),
  };
}

/**
 * The key a client uses: allowed suite, matching a pin when pins are set,
 * valid now, newest first. Pins that match nothing are ERR_PIN_MISMATCH:
 * the client never falls back to an unpinned key.
 */
export function selectServerKey(
  keys: readonly PublishedKey[],
  options: { now: number; pins?: readonly string[]; suites?: readonly Suite[] },
): PublishedKey {
  const suites = options.suites ?? DEFAULT_SUITES;
  let candidates = keys.filter((k) => suites.includes(k.suite));
  if (options.pins !== undefined) {
    // An empty list is a configuration mistake, not "no pinning": refuse rather than trust any key.
    if (options.pins.length === 0)
      throw new CipherlayerError('ERR_CONFIG', { detail: 'pins is empty; omit it to disable pinning' });
    const pins = options.pins;
    candidates = candidates.filter((k) => pins.includes(k.pin));
    if (candidates.length === 0) throw new CipherlayerError('ERR_PIN_MISMATCH');
  }
  const valid = candidates.filter(
    (k) =>
      (k.notBefore === undefined || options.now >= k.notBefore) &&
      (k.notAfter === undefined || options.now < k.notAfter),
  );
  valid.sort((a, b) => (b.notBefore ?? 0) - (a.notBefore ?? 0) || b.keyId - a.keyId);
  const chosen = valid[0];
  if (chosen === undefined)
    throw new CipherlayerError(candidates.length > 0 ? 'ERR_KEY_EXPIRED' : 'ERR_UNKNOWN_KEY');
  return chosen;
}
