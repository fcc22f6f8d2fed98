import { type ErrorCode, isCipherlayerError } from '@cipherlayer/core';
import type { AuditSink } from '../audit.js';
import type { WrappedKey } from '../keyring.js';
import type { KeyHierarchy } from '../keys/key-hierarchy.js';
import { parseScope, wrapContext } from '../keys/scope.js';

export interface KekRotationOptions {
  /** Keys read per query (default 100). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: { readonly rewrapped: number; readonly failed: number }) => void;
}

export interface KekRotationResult {
  /** Keys now wrapped under the current KEK. */
  readonly rewrapped: number;
  /** Keys that could not be re-wrapped (each named with the error code); run again once fixed. */
  readonly failed: readonly { readonly keyId: string; readonly code: ErrorCode }[];
}

/**
 * KEK rotation: every data and index key not wrapped under the keyring's
 * current KEK is re-wrapped (keyring.rewrap, which KMS and Vault do without
 * the key leaving them), and the keys table row is updated if nobody changed
 * it meanwhile. No field is read or written: this is seed 003's point of
 * envelope encryption. Retired keys are re-wrapped too, so that the old KEK
 * can then be destroyed. Safe to run again; keys already current are skipped.
 */
export async function rotateKek(
  keys: KeyHierarchy,
  audit: AuditSink,
  options: KekRotationOptions = {},
): Promise<KekRotationResult> {
  const { keyring, store } = keys;
  const current = await keyring.currentKekId();
  const failed: { keyId: string; code: ErrorCode }[] = [];
  let rewrapped = 0;
  let after = '';
  for (;;) {
    const batch = await store.wrappedElsewhere(keyring.id, current, after, options.batchSize ?? 100);
    if (batch.length === 0) break;
    for (const record of batch) {
      after = record.id;
      const context = wrapContext(record.purpose, record.id, parseScope(record.scope));
      let next: WrappedKey;
      try {
        if (record.wrapped.keyringId === keyring.id) {
          next = await keyring.rewrap(record.wrapped, context);
        } else {
          // Another keyring made it (a move between keyrings through a MultiKeyring's decryptOnly).
          const plain = await keyring.unwrap(record.wrapped, context);
          try {
            next = await keyring.wrap(plain, context);
          } finally {
            plain.fill(0);
          }
        }
      } catch (error) {
        failed.push({ keyId: record.id, code: isCipherlayerError(error) ? error.code : 'ERR_INTERNAL' });
        continue;
      }
      if (await store.replaceWrapping(record.id, record.wrapped, next)) {
        rewrapped++;
        audit({
          type: 'rewrap',
          purpose: record.purpose,
          keyId: record.id,
          fromKeyringId: record.wrapped.keyringId,
          fromKekId: record.wrapped.kekId,
          keyringId: next.keyringId,
          kekId: next.kekId,
        });
      }
    }
    options.onProgress?.({ rewrapped, failed: failed.length });
  }
  return { rewrapped, failed };
}
