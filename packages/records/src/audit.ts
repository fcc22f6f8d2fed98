import type { ErrorCode } from '@cipherlayer/core';
import type { KeyPurpose } from './keys/scope.js';

/**
 * What happened to a key, for an audit log: which key, which KEK, which
 * field. Never key bytes, wrapped bytes or plaintext. Events are delivered
 * synchronously to the `audit` hook; an exception thrown by the hook is
 * dropped so that a failing log sink does not take reads down with it (make
 * the hook queue and retry if losing events is not acceptable).
 */
export type AuditEvent =
  | {
      /** A new data or index key was generated and wrapped under a KEK. */
      readonly type: 'wrap';
      readonly purpose: KeyPurpose;
      readonly keyId: string;
      readonly scope: string;
      readonly keyringId: string;
      readonly kekId: string;
    }
  | {
      /** A data or index key was unwrapped by the keyring (a cache miss: each use is not an event). */
      readonly type: 'unwrap';
      readonly purpose: KeyPurpose;
      readonly keyId: string;
      readonly scope: string;
      readonly keyringId: string;
      readonly kekId: string;
    }
  | {
      /** KEK rotation: a key was re-wrapped under the current KEK; no field changed. */
      readonly type: 'rewrap';
      readonly purpose: KeyPurpose;
      readonly keyId: string;
      readonly fromKeyringId: string;
      readonly fromKekId: string;
      readonly keyringId: string;
      readonly kekId: string;
    }
  | {
      /** A key stopped being the active one of its scope: rotation was asked for, or it reached its message limit. */
      readonly type: 'rotate';
      readonly purpose: KeyPurpose;
      readonly keyId: string;
      readonly scope: string;
      readonly reason: 'requested' | 'message-limit';
    }
  | {
      /** A key was retired: it no longer decrypts. */
      readonly type: 'retire';
      readonly purpose: KeyPurpose;
      readonly keyId: string;
    }
  | {
      /** A key could not be unwrapped (unknown KEK, wrong context, keyring down). */
      readonly type: 'unwrap-failed';
      readonly purpose: KeyPurpose;
      readonly keyId: string;
      readonly keyringId: string;
      readonly kekId: string;
      readonly code: ErrorCode;
    }
  | {
      /** A field did not decrypt. `keyId` is absent when the ciphertext did not parse. */
      readonly type: 'decrypt-failed';
      readonly keyId?: string;
      readonly table: string;
      readonly column: string;
      readonly row?: string;
      readonly tenant?: string;
      readonly code: ErrorCode;
    };

export type AuditHook = (event: AuditEvent & { readonly time: Date }) => void;

export type AuditSink = (event: AuditEvent) => void;

export function auditSink(hook: AuditHook | undefined): AuditSink {
  if (hook === undefined) return () => undefined;
  return (event) => {
    try {
      hook({ ...event, time: new Date() });
    } catch {
      // See above: a broken sink must not break decryption.
    }
  };
}
