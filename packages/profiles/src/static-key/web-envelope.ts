import { CipherlayerError, fromBase64, fromHex, toBase64 } from '@cipherlayer/core';

/**
 * Seed 002's envelope on Web Crypto (browsers, workers, and Node's
 * `globalThis.crypto`): base64(iv ‖ tag ‖ ciphertext). Web Crypto reads and
 * writes ciphertext ‖ tag, so the tag moves on the way in and out, as the
 * seed's `CryptoService.decrypt` does.
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function bytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view);
}

/** The seed's `importKey`: 64 hex digits (its `environment.aesKey`) or 32 bytes, non-extractable. */
export async function importStaticKey(key: string | Uint8Array): Promise<CryptoKey> {
  const raw = typeof key === 'string' ? (/^[0-9a-fA-F]{64}$/.test(key) ? fromHex(key) : undefined) : key;
  if (raw === undefined || raw.length !== 32)
    throw new CipherlayerError('ERR_CONFIG', { detail: 'the key must be 64 hex digits or 32 bytes' });
  return await crypto.subtle.importKey('raw', bytes(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/** Seals bytes: the `data` of an envelope. */
export async function sealBytes(key: CryptoKey, plaintext: Uint8Array): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes(plaintext)));
  const ciphertextLength = sealed.length - TAG_BYTES;
  const out = new Uint8Array(IV_BYTES + sealed.length);
  out.set(iv, 0);
  out.set(sealed.subarray(ciphertextLength), IV_BYTES);
  out.set(sealed.subarray(0, ciphertextLength), IV_BYTES + TAG_BYTES);
  return toBase64(out);
}

/** Opens the `data` of an envelope; every failure is the one ERR_DECRYPT. */
export async function openBytes(key: CryptoKey, data: string): Promise<Uint8Array> {
  let buf: Uint8Array;
  try {
    buf = fromBase64(data);
  } catch (cause) {
    throw new CipherlayerError('ERR_DECRYPT', { cause });
  }
  if (buf.length < IV_BYTES + TAG_BYTES) throw new CipherlayerError('ERR_DECRYPT');
  const iv = bytes(buf.subarray(0, IV_BYTES));
  const combined = new Uint8Array(buf.length - IV_BYTES);
  combined.set(buf.subarray(IV_BYTES + TAG_BYTES), 0);
  combined.set(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), buf.length - IV_BYTES - TAG_BYTES);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, combined));
  } catch (cause) {
    throw new CipherlayerError('ERR_DECRYPT', { cause });
  }
}

/** The seed's server `encrypt(data)`: JSON, then sealed. A value with no JSON form is refused; the error never quotes it. */
export async function sealStaticEnvelope(key: CryptoKey, value: unknown): Promise<string> {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // The cause is dropped on purpose: V8's messages (a cycle, a BigInt) name parts of the value.
    json = undefined;
  }
  if (json === undefined) throw new CipherlayerError('ERR_CONFIG', { detail: 'the value has no JSON form' });
  return await sealBytes(key, encoder.encode(json));
}

/**
 * The seed's `CryptoService.decrypt(payload)`: opened, then parsed. Every
 * failure (not a string, not base64, too short, wrong key, tampered, not
 * UTF-8, not JSON) is the same ERR_DECRYPT, without a cause that could
 * quote the plaintext.
 */
export async function openStaticEnvelope(key: CryptoKey, data: string): Promise<unknown> {
  if (typeof data !== 'string') throw new CipherlayerError('ERR_DECRYPT');
  const plaintext = await openBytes(key, data);
  try {
    return JSON.parse(decoder.decode(plaintext));
  } catch {
    throw new CipherlayerError('ERR_DECRYPT');
  } finally {
    plaintext.fill(0);
  }
}
