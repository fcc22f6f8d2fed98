import { CipherlayerError } from '@cipherlayer/core';
import { ckrName } from './errors.js';
import { acquireModule, type Handle, type ModuleLease, type Pkcs11, type Pkcs11Api } from './module.js';
import type { Pkcs11Mechanism } from './options.js';
import { SessionPool } from './session-pool.js';

/** A logged-in token with a pool of sessions on it. */
export interface Pkcs11Token {
  readonly api: Pkcs11Api;
  readonly pkcs11: Pkcs11;
  readonly slot: Handle;
  readonly pool: SessionPool<Handle>;
  /** Waits for running operations, logs out, closes the sessions and releases the library. */
  close(): Promise<void>;
}

export interface TokenOptions {
  readonly library: string;
  readonly tokenLabel: string;
  readonly pin: string;
  readonly sessions: number;
}

export async function openToken(options: TokenOptions): Promise<Pkcs11Token> {
  const lease = await acquireModule(options.library);
  const { api, pkcs11 } = lease;
  const sessions: Handle[] = [];
  let slot: Handle | undefined;
  try {
    slot = findSlot(lease, options);
    for (let i = 0; i < options.sessions; i += 1) {
      sessions.push(pkcs11.C_OpenSession(slot, api.CKF_SERIAL_SESSION | api.CKF_RW_SESSION));
    }
    login(lease, slot, sessions[0]!, options);
  } catch (error) {
    for (const session of sessions) closeQuietly(pkcs11, session);
    lease.release();
    throw error instanceof CipherlayerError
      ? error
      : new CipherlayerError('ERR_STORE_UNAVAILABLE', { cause: error });
  }
  const loggedInSlot = slot;
  const pool = new SessionPool<Handle>(sessions);
  let closing: Promise<void> | undefined;
  return {
    api,
    pkcs11,
    slot: loggedInSlot,
    pool,
    close() {
      closing ??= pool.close().then((all) => {
        try {
          lease.logout(loggedInSlot, all[0]!);
          for (const session of all) closeQuietly(pkcs11, session);
        } finally {
          lease.release();
        }
      });
      return closing;
    },
  };
}

function findSlot(lease: ModuleLease, options: TokenOptions): Handle {
  const labels: string[] = [];
  for (const slot of lease.pkcs11.C_GetSlotList(true)) {
    const label = lease.pkcs11.C_GetTokenInfo(slot).label.trimEnd();
    if (label === options.tokenLabel) return slot;
    labels.push(JSON.stringify(label));
  }
  throw new CipherlayerError('ERR_CONFIG', {
    detail: `Pkcs11Keyring: no token labelled ${JSON.stringify(options.tokenLabel)} in ${options.library} (tokens present: ${labels.join(', ') || 'none'}); check tokenLabel`,
  });
}

function login(lease: ModuleLease, slot: Handle, session: Handle, options: TokenOptions): void {
  try {
    lease.login(slot, session, options.pin);
  } catch (cause) {
    if (cause instanceof CipherlayerError) throw cause;
    const name = ckrName(cause) ?? 'native error';
    const hint =
      name === 'CKR_PIN_LOCKED'
        ? 'the user PIN is locked; unlock it with the security officer PIN'
        : 'check the pin option or its environment variable';
    // The PIN itself never appears, here or in `cause` (pkcs11js reports only the CKR name).
    throw new CipherlayerError('ERR_CONFIG', {
      detail: `Pkcs11Keyring: login to token ${JSON.stringify(options.tokenLabel)} failed (${name}); ${hint}`,
      cause,
    });
  }
}

/** Picks the sealing mechanism: the strongest the token offers, or the one asked for if it is offered. */
export function selectMechanism(
  token: Pkcs11Token,
  wanted: Pkcs11Mechanism,
): Exclude<Pkcs11Mechanism, 'auto'> {
  const { api } = token;
  const gcm = supports(token, api.CKM_AES_GCM, api.CKF_ENCRYPT | api.CKF_DECRYPT);
  const kwp = supports(token, api.CKM_AES_KEY_WRAP_PAD, api.CKF_WRAP | api.CKF_UNWRAP);
  if (wanted !== 'aes-key-wrap-pad' && gcm) return 'aes-gcm';
  if (wanted !== 'aes-gcm' && kwp) return 'aes-key-wrap-pad';
  throw new CipherlayerError('ERR_CONFIG', {
    detail:
      wanted === 'auto'
        ? 'Pkcs11Keyring: the token offers neither CKM_AES_GCM encryption nor CKM_AES_KEY_WRAP_PAD wrapping'
        : `Pkcs11Keyring: the token does not offer mechanism "${wanted}"; use mechanism "auto"`,
  });
}

function supports(token: Pkcs11Token, mechanism: number, flags: number): boolean {
  try {
    return (token.pkcs11.C_GetMechanismInfo(token.slot, mechanism).flags & flags) === flags;
  } catch {
    return false;
  }
}

function closeQuietly(pkcs11: Pkcs11, session: Handle): void {
  try {
    pkcs11.C_CloseSession(session);
  } catch {
    // The session is gone already; closing is best effort.
  }
}
