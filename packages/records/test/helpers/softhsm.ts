import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';

/** The Debian softhsm2 package's PKCS#11 library. */
export const SOFTHSM_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsm {
  /** The temporary directory holding this test file's tokens and config. */
  readonly dir: string;
  /** Initialises a fresh token in the next free slot. */
  initToken(label: string, pin: string, soPin?: string): void;
  /** Removes the directory (call after every keyring on it is closed). */
  cleanup(): void;
}

/**
 * A SoftHSM2 token store of its own in a temp directory, never the system
 * one: SOFTHSM2_CONF points there for this process (SoftHSM2 reads it at
 * C_Initialize), and softhsm2-util is run with the same variable.
 */
export function createSoftHsm(): SoftHsm {
  const dir = mkdtempSync(join(tmpdir(), 'cipherlayer-softhsm-'));
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  return {
    dir,
    initToken(label, pin, soPin = '87654321') {
      execFileSync(
        'softhsm2-util',
        ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin],
        {
          env: { ...process.env, SOFTHSM2_CONF: conf },
          stdio: 'pipe',
        },
      );
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawToken {
  readonly pkcs11: pkcs11js.PKCS11;
  readonly session: pkcs11js.Handle;
  /** Handles of the secret keys with this CKA_LABEL. */
  findKeys(label: string): pkcs11js.Handle[];
}

/**
 * Runs `inspect` with a raw pkcs11js session on the token, as an attacker
 * holding the PIN (or a second tool) would. Call it only while no keyring
 * has the library open: it initialises and finalizes the library itself.
 */
export function withRawToken<T>(tokenLabel: string, pin: string, inspect: (token: RawToken) => T): T {
  const pkcs11 = new pkcs11js.PKCS11();
  pkcs11.load(SOFTHSM_LIBRARY);
  pkcs11.C_Initialize();
  try {
    const slot = pkcs11
      .C_GetSlotList(true)
      .find((s) => pkcs11.C_GetTokenInfo(s).label.trimEnd() === tokenLabel);
    if (slot === undefined) throw new Error(`no token ${tokenLabel}`);
    const session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    pkcs11.C_Login(session, pkcs11js.CKU_USER, pin);
    try {
      return inspect({
        pkcs11,
        session,
        findKeys(label) {
          pkcs11.C_FindObjectsInit(session, [
            { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
            { type: pkcs11js.CKA_LABEL, value: label },
          ]);
          try {
            return pkcs11.C_FindObjects(session, 100);
          } finally {
            pkcs11.C_FindObjectsFinal(session);
          }
        },
      });
    } finally {
      pkcs11.C_Logout(session);
      pkcs11.C_CloseSession(session);
    }
  } finally {
    pkcs11.C_Finalize();
    pkcs11.close();
  }
}
