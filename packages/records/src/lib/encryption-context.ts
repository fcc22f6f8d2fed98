import type { EncryptionContext } from '../keyring.js';
import { lengthPrefixed } from './length-prefixed.js';

/**
 * The canonical bytes of an encryption context, for keyrings that
 * authenticate it as AES-GCM AAD (local, PKCS#11): the entries sorted by key
 * (UTF-16 code unit order, as Array.prototype.sort), then lp(key) ‖ lp(value)
 * for each, after a 2-byte entry count. spec/records.md, "Encryption context".
 */
export function encodeEncryptionContext(context: EncryptionContext): Buffer {
  const keys = Object.keys(context).sort();
  const count = Buffer.alloc(2);
  count.writeUInt16BE(keys.length);
  const flat: string[] = [];
  for (const key of keys) flat.push(key, context[key] as string);
  return Buffer.concat([count, lengthPrefixed(flat)]);
}
