import { CipherlayerError, fromBase64, toBase64 } from '@cipherlayer/core';

/**
 * Seed 001's client side on Web Crypto (browsers, and Node's
 * `globalThis.crypto`): AES-256-GCM with 12-byte IVs and the tag apart, as
 * the seed sends it; RSA-OAEP-SHA256 to wrap each request's key.
 */
const TAG_BYTES = 16;

export interface Payload {
  readonly encryptedData: string;
  readonly iv: string;
  readonly authTag: string;
}

export function randomKey(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(32));
}

async function aesKey(raw: Uint8Array<ArrayBuffer>, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  return await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, [usage]);
}

function params(iv: Uint8Array<ArrayBuffer>, aad: Uint8Array | undefined): AesGcmParams {
  return aad === undefined
    ? { name: 'AES-GCM', iv }
    : { name: 'AES-GCM', iv, additionalData: new Uint8Array(aad) };
}

export async function sealPayload(
  raw: Uint8Array<ArrayBuffer>,
  plaintext: Uint8Array,
  aad?: Uint8Array,
): Promise<Payload> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(params(iv, aad), await aesKey(raw, 'encrypt'), new Uint8Array(plaintext)),
  );
  const split = sealed.length - TAG_BYTES;
  return {
    encryptedData: toBase64(sealed.subarray(0, split)),
    iv: toBase64(iv),
    authTag: toBase64(sealed.subarray(split)),
  };
}

/** Opens `{encryptedData, iv, authTag}`; every failure is the one ERR_DECRYPT. */
export async function openPayload(
  raw: Uint8Array<ArrayBuffer>,
  payload: Payload,
  aad?: Uint8Array,
): Promise<Uint8Array> {
  try {
    const data = fromBase64(payload.encryptedData);
    const tag = fromBase64(payload.authTag);
    const iv = new Uint8Array(fromBase64(payload.iv));
    if (iv.length !== 12 || tag.length !== TAG_BYTES) throw new Error('bad lengths');
    const combined = new Uint8Array(data.length + TAG_BYTES);
    combined.set(data, 0);
    combined.set(tag, data.length);
    return new Uint8Array(
      await crypto.subtle.decrypt(params(iv, aad), await aesKey(raw, 'decrypt'), combined),
    );
  } catch (cause) {
    throw new CipherlayerError('ERR_DECRYPT', { cause });
  }
}

/** The session's public key, from the PEM the server sent (SPKI), for RSA-OAEP-SHA256. */
export async function importPublicKey(pem: string): Promise<CryptoKey> {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  try {
    return await crypto.subtle.importKey(
      'spki',
      new Uint8Array(fromBase64(body)),
      { name: 'RSA-OAEP', hash: 'SHA-256' },
      false,
      ['encrypt'],
    );
  } catch (cause) {
    throw new CipherlayerError('ERR_INVALID_KEY', { cause });
  }
}

export async function wrapKey(publicKey: CryptoKey, raw: Uint8Array<ArrayBuffer>): Promise<string> {
  return toBase64(new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, raw)));
}

/** Strict mode's associated data, byte for byte as the server builds it. */
export function requestAad(method: string, target: string): Uint8Array {
  return new TextEncoder().encode(`cipherlayer rsa-session/1 request\n${method}\n${target}`);
}

export function responseAad(status: number, method: string, target: string): Uint8Array {
  return new TextEncoder().encode(`cipherlayer rsa-session/1 response\n${status}\n${method}\n${target}`);
}
