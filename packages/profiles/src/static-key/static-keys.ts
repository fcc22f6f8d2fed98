import { KEY_BYTES } from '../lib/aes-gcm.js';
import { configError } from '../lib/options.js';

/** One key: 64 hex digits (the seed's `AES_KEY` environment variable) or 32 bytes. */
export type StaticKeyInput = string | Uint8Array;

function readOne(value: unknown): Buffer {
  if (typeof value === 'string') {
    if (!/^[0-9a-fA-F]{64}$/.test(value))
      throw configError("key must be 64 hex digits (AES-256), as the seed's AES_KEY");
    return Buffer.from(value, 'hex');
  }
  if (value instanceof Uint8Array && value.length === KEY_BYTES) return Buffer.from(value);
  throw configError('key must be 64 hex digits or 32 bytes');
}

/** A key or a rotation list (the first seals answers to bodiless requests, any opens). */
export function readStaticKeys(value: StaticKeyInput | readonly StaticKeyInput[]): readonly Buffer[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw configError('key: give at least one key');
  return list.map(readOne);
}
