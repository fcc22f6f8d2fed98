import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { resolve } from 'node:path';
import { CipherlayerError } from '@cipherlayer/core';
import type * as Pkcs11js from 'pkcs11js';
import { ckrName } from './errors.js';

/** The pkcs11js namespace: the PKCS11 class and every CK* constant. */
export type Pkcs11Api = typeof Pkcs11js;
export type Handle = Pkcs11js.Handle;
export type Pkcs11 = Pkcs11js.PKCS11;

let binding: Promise<Pkcs11Api> | undefined;

/** pkcs11js is an optional peer dependency: it is loaded only when a PKCS#11 keyring opens. */
function loadBinding(): Promise<Pkcs11Api> {
  binding ??= import('pkcs11js').then(
    // pkcs11js is CommonJS: its constants live on the default export under ESM.
    (namespace) => ((namespace as { default?: Pkcs11Api }).default ?? namespace) as Pkcs11Api,
    (cause: unknown) => {
      binding = undefined;
      throw new CipherlayerError('ERR_CONFIG', {
        detail: 'Pkcs11Keyring needs the optional dependency pkcs11js (npm install pkcs11js)',
        cause,
      });
    },
  );
  return binding;
}

/**
 * A PKCS#11 library is initialised once per process and its login state is
 * per token, not per session: two keyrings on the same library must share
 * one C_Initialize and one C_Login, and only the last to close may log out
 * and finalize. This registry counts them.
 */
interface SharedModule {
  readonly api: Pkcs11Api;
  readonly pkcs11: Pkcs11;
  /** False when something else in the process initialised the library first. */
  readonly ownsInitialize: boolean;
  users: number;
  /** Logins per slot (hex of the slot handle). */
  readonly logins: Map<string, Login>;
}

interface Login {
  count: number;
  /** A keyed hash of the PIN that logged in, so a second keyring with another PIN is refused, not let in. */
  readonly pinTag: Buffer;
}

const modules = new Map<string, SharedModule>();
const pinTagKey = randomBytes(32);

function pinTag(pin: string): Buffer {
  return createHmac('sha256', pinTagKey).update(pin, 'utf8').digest();
}

export interface ModuleLease {
  readonly api: Pkcs11Api;
  readonly pkcs11: Pkcs11;
  /**
   * Logs the user into the slot's token unless this process already is (with
   * the same PIN). Throws the raw PKCS#11 error, or ERR_CONFIG for a PIN that
   * differs from the one already logged in.
   */
  login(slot: Handle, session: Handle, pin: string): void;
  /** Undoes one `login`; the last one logs out. */
  logout(slot: Handle, session: Handle): void;
  /** Undoes `acquireModule`; the last one finalizes and unloads the library. */
  release(): void;
}

export async function acquireModule(libraryPath: string): Promise<ModuleLease> {
  const api = await loadBinding();
  const path = resolve(libraryPath);
  let shared = modules.get(path);
  if (shared === undefined) {
    shared = openModule(api, path);
    modules.set(path, shared);
  }
  shared.users += 1;
  return lease(path, shared);
}

function openModule(api: Pkcs11Api, path: string): SharedModule {
  const pkcs11 = new api.PKCS11();
  try {
    pkcs11.load(path);
  } catch (cause) {
    throw new CipherlayerError('ERR_CONFIG', {
      detail: `could not load the PKCS#11 library at ${path}; check the library option`,
      cause,
    });
  }
  let ownsInitialize = true;
  try {
    // OS locking: operations run on libuv's worker threads, one per pooled session at a time.
    pkcs11.C_Initialize({ flags: api.CKF_OS_LOCKING_OK });
  } catch (cause) {
    if (ckrName(cause) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      pkcs11.close();
      throw new CipherlayerError('ERR_CONFIG', {
        detail: `C_Initialize failed for the PKCS#11 library at ${path} (${ckrName(cause) ?? 'native error'})`,
        cause,
      });
    }
    ownsInitialize = false;
  }
  return { api, pkcs11, ownsInitialize, users: 0, logins: new Map() };
}

function lease(path: string, shared: SharedModule): ModuleLease {
  let released = false;
  return {
    api: shared.api,
    pkcs11: shared.pkcs11,
    login(slot, session, pin) {
      const key = slot.toString('hex');
      const tag = pinTag(pin);
      const existing = shared.logins.get(key);
      if (existing !== undefined) {
        if (!timingSafeEqual(existing.pinTag, tag)) {
          throw new CipherlayerError('ERR_CONFIG', {
            detail: 'this token is already logged in by another keyring in this process with a different PIN',
          });
        }
        existing.count += 1;
        return;
      }
      try {
        shared.pkcs11.C_Login(session, shared.api.CKU_USER, pin);
      } catch (cause) {
        // Logged in by other code in this process: PKCS#11 gives no way to check its PIN.
        if (ckrName(cause) !== 'CKR_USER_ALREADY_LOGGED_IN') throw cause;
      }
      shared.logins.set(key, { count: 1, pinTag: tag });
    },
    logout(slot, session) {
      const key = slot.toString('hex');
      const existing = shared.logins.get(key);
      if (existing === undefined) return;
      if (existing.count > 1) {
        existing.count -= 1;
        return;
      }
      shared.logins.delete(key);
      try {
        shared.pkcs11.C_Logout(session);
      } catch {
        // Already logged out (token removed, library reset): nothing left to undo.
      }
    },
    release() {
      if (released) return;
      released = true;
      shared.users -= 1;
      if (shared.users > 0) return;
      modules.delete(path);
      try {
        if (shared.ownsInitialize) shared.pkcs11.C_Finalize();
      } finally {
        shared.pkcs11.close();
      }
    },
  };
}
