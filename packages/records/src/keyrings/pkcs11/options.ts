import { CipherlayerError } from '@cipherlayer/core';

/**
 * How data keys are sealed under the KEK inside the token:
 * - `aes-gcm`: C_Encrypt/C_Decrypt with CKM_AES_GCM, 96-bit random IV,
 *   128-bit tag, the encryption context as AAD (the default when the token
 *   offers it, as SoftHSM2 does);
 * - `aes-key-wrap-pad`: C_WrapKey/C_UnwrapKey with CKM_AES_KEY_WRAP_PAD
 *   (RFC 5649) over the data key followed by SHA-256 of the context, checked
 *   on unwrap — for tokens without GCM or that refuse caller-chosen IVs;
 * - `auto`: the first of those the token supports.
 */
export type Pkcs11Mechanism = 'auto' | 'aes-gcm' | 'aes-key-wrap-pad';

export interface Pkcs11KeyringOptions {
  /** Path of the PKCS#11 library, e.g. `/usr/lib/softhsm/libsofthsm2.so`. */
  readonly library: string;
  /** Label of the token (the slot is found by it). */
  readonly tokenLabel: string;
  /** The user PIN. When absent it is read from the environment variable `pinEnv`. Never logged. */
  readonly pin?: string;
  /** The environment variable holding the PIN when `pin` is absent (default `CIPHERLAYER_PKCS11_PIN`). */
  readonly pinEnv?: string;
  /** CKA_LABEL of the KEK. Each version is a separate key with that label and CKA_ID `v1`, `v2`, … */
  readonly keyLabel: string;
  /** Generate version 1 in the token when no key has `keyLabel` (default true). */
  readonly createKey?: boolean;
  /** Sessions in the pool, i.e. HSM operations that may run at once (default 4). */
  readonly sessions?: number;
  /** See {@link Pkcs11Mechanism} (default `auto`). */
  readonly mechanism?: Pkcs11Mechanism;
  /**
   * How long the current KEK version is trusted before the token is searched
   * again, so that a rotation made by another process is picked up (default
   * 60 000 ms; 0 searches before every wrap).
   */
  readonly refreshMs?: number;
}

export interface ResolvedPkcs11Options {
  readonly library: string;
  readonly tokenLabel: string;
  readonly pin: string;
  readonly keyLabel: string;
  readonly createKey: boolean;
  readonly sessions: number;
  readonly mechanism: Pkcs11Mechanism;
  readonly refreshMs: number;
}

export const DEFAULT_PIN_ENV = 'CIPHERLAYER_PKCS11_PIN';

const known = new Set([
  'library',
  'tokenLabel',
  'pin',
  'pinEnv',
  'keyLabel',
  'createKey',
  'sessions',
  'mechanism',
  'refreshMs',
]);
const mechanisms = new Set<string>(['auto', 'aes-gcm', 'aes-key-wrap-pad']);

function fail(detail: string): never {
  throw new CipherlayerError('ERR_CONFIG', { detail: `Pkcs11Keyring: ${detail}` });
}

/** Checks every option once, when the keyring is opened; messages say what to change and never echo the PIN. */
export function resolvePkcs11Options(
  options: Pkcs11KeyringOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedPkcs11Options {
  if (typeof options !== 'object' || options === null) fail('pass an options object');
  for (const key of Object.keys(options)) {
    if (!known.has(key)) fail(`unknown option "${key}"; known options are ${[...known].join(', ')}`);
  }
  const { library, tokenLabel, keyLabel } = options;
  if (typeof library !== 'string' || library === '') fail('set library to the path of the PKCS#11 .so');
  if (typeof tokenLabel !== 'string' || tokenLabel === '' || Buffer.byteLength(tokenLabel) > 32) {
    fail('set tokenLabel to the label of the token (1 to 32 bytes)');
  }
  if (
    typeof keyLabel !== 'string' ||
    keyLabel === '' ||
    keyLabel.length > 128 ||
    /[\p{Cc}]/u.test(keyLabel)
  ) {
    fail('set keyLabel to the KEK label (1 to 128 printable characters)');
  }
  const pinEnv = options.pinEnv ?? DEFAULT_PIN_ENV;
  if (typeof pinEnv !== 'string' || pinEnv === '') fail('pinEnv must name an environment variable');
  const pin = options.pin ?? env[pinEnv];
  if (typeof pin !== 'string' || pin === '') {
    fail(`no PIN: set the pin option or the ${pinEnv} environment variable`);
  }
  const sessions = options.sessions ?? 4;
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 256) {
    fail('sessions must be an integer from 1 to 256');
  }
  const mechanism = options.mechanism ?? 'auto';
  if (!mechanisms.has(mechanism)) fail('mechanism must be "auto", "aes-gcm" or "aes-key-wrap-pad"');
  const refreshMs = options.refreshMs ?? 60_000;
  if (!Number.isFinite(refreshMs) || refreshMs < 0)
    fail('refreshMs must be a number of milliseconds, 0 or more');
  const createKey = options.createKey ?? true;
  if (typeof createKey !== 'boolean') fail('createKey must be true or false');
  return { library, tokenLabel, pin, keyLabel, createKey, sessions, mechanism, refreshMs };
}
