import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';
import type { EncryptionContext } from '../../keyring.js';
import { encodeEncryptionContext } from '../../lib/encryption-context.js';
import { lengthPrefixed } from '../../lib/length-prefixed.js';
import type { Handle, Pkcs11, Pkcs11Api } from './module.js';

/**
 * The wrapped-key bytes this keyring stores. The first byte names the
 * scheme, so a keyring reconfigured to the other mechanism still opens what
 * it wrapped before, and `rewrap` moves it over.
 *
 *   0x01 ‖ IV (12) ‖ AES-256-GCM(data key) ‖ tag (16)        CKM_AES_GCM, context as AAD
 *   0x02 ‖ AES-KWP(data key ‖ SHA-256(AAD))                  CKM_AES_KEY_WRAP_PAD
 */
export const SCHEME_AES_GCM = 0x01;
export const SCHEME_AES_KWP = 0x02;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
const DIGEST_BYTES = 32;

export interface TokenApi {
  readonly api: Pkcs11Api;
  readonly pkcs11: Pkcs11;
}

/**
 * What the KEK authenticates besides the data key: lp(format label) ‖
 * lp(kekId) — so bytes cannot be relabelled as another version — then the
 * package's canonical context encoding (sorted pairs, length-prefixed).
 */
export function associatedData(kekId: string, context: EncryptionContext): Buffer {
  return Buffer.concat([lengthPrefixed(['cipherlayer/pkcs11/v1', kekId]), encodeEncryptionContext(context)]);
}

export async function seal(
  token: TokenApi,
  scheme: 'aes-gcm' | 'aes-key-wrap-pad',
  session: Handle,
  kek: Handle,
  dataKey: Uint8Array,
  aad: Buffer,
): Promise<Uint8Array> {
  return scheme === 'aes-gcm'
    ? sealGcm(token, session, kek, dataKey, aad)
    : sealKwp(token, session, kek, dataKey, aad);
}

/** Opens either scheme; any malformed input is the generic decryption failure. */
export async function open(
  token: TokenApi,
  session: Handle,
  kek: Handle,
  wrapped: Uint8Array,
  aad: Buffer,
): Promise<Uint8Array> {
  switch (wrapped[0]) {
    case SCHEME_AES_GCM:
      return openGcm(token, session, kek, wrapped, aad);
    case SCHEME_AES_KWP:
      return openKwp(token, session, kek, wrapped, aad);
    default:
      throw new CipherlayerError('ERR_DECRYPT');
  }
}

function gcmMechanism(api: Pkcs11Api, iv: Buffer, aad: Buffer) {
  return {
    mechanism: api.CKM_AES_GCM,
    parameter: { type: api.CK_PARAMS_AES_GCM, iv, ivBits: IV_BYTES * 8, aad, tagBits: TAG_BYTES * 8 },
  };
}

async function sealGcm(
  { api, pkcs11 }: TokenApi,
  session: Handle,
  kek: Handle,
  dataKey: Uint8Array,
  aad: Buffer,
): Promise<Uint8Array> {
  // A random 96-bit IV per wrap: the usual bound of 2^32 wraps per KEK version is far above the number of data keys.
  const iv = randomBytes(IV_BYTES);
  pkcs11.C_EncryptInit(session, gcmMechanism(api, iv, aad), kek);
  const sealed = await pkcs11.C_EncryptAsync(
    session,
    asBuffer(dataKey),
    Buffer.alloc(dataKey.length + TAG_BYTES),
  );
  return Buffer.concat([Buffer.of(SCHEME_AES_GCM), iv, sealed]);
}

async function openGcm(
  { api, pkcs11 }: TokenApi,
  session: Handle,
  kek: Handle,
  wrapped: Uint8Array,
  aad: Buffer,
): Promise<Uint8Array> {
  if (wrapped.length !== 1 + IV_BYTES + DATA_KEY_BYTES + TAG_BYTES) throw new CipherlayerError('ERR_DECRYPT');
  const bytes = asBuffer(wrapped);
  const iv = Buffer.from(bytes.subarray(1, 1 + IV_BYTES));
  const sealed = bytes.subarray(1 + IV_BYTES);
  pkcs11.C_DecryptInit(session, gcmMechanism(api, iv, aad), kek);
  const opened = await pkcs11.C_DecryptAsync(session, sealed, Buffer.alloc(sealed.length));
  return new Uint8Array(opened.buffer, opened.byteOffset, opened.byteLength);
}

/**
 * RFC 5649 has no associated data, so the context goes inside the wrap: the
 * token wraps data key ‖ SHA-256(AAD) as one 64-byte secret, and unwrap
 * checks the digest. Key wrap is a deterministic authenticated cipher over
 * the whole block, so the digest cannot be changed without the KEK.
 */
async function sealKwp(
  { api, pkcs11 }: TokenApi,
  session: Handle,
  kek: Handle,
  dataKey: Uint8Array,
  aad: Buffer,
): Promise<Uint8Array> {
  const secret = Buffer.concat([asBuffer(dataKey), digest(aad)]);
  const object = pkcs11.C_CreateObject(session, [
    { type: api.CKA_CLASS, value: api.CKO_SECRET_KEY },
    { type: api.CKA_KEY_TYPE, value: api.CKK_GENERIC_SECRET },
    { type: api.CKA_TOKEN, value: false },
    { type: api.CKA_PRIVATE, value: true },
    { type: api.CKA_SENSITIVE, value: false },
    { type: api.CKA_EXTRACTABLE, value: true },
    { type: api.CKA_VALUE, value: secret },
  ]);
  try {
    const wrapped = await pkcs11.C_WrapKeyAsync(
      session,
      { mechanism: api.CKM_AES_KEY_WRAP_PAD },
      kek,
      object,
      Buffer.alloc(secret.length + 16),
    );
    return Buffer.concat([Buffer.of(SCHEME_AES_KWP), wrapped]);
  } finally {
    secret.fill(0);
    pkcs11.C_DestroyObject(session, object);
  }
}

async function openKwp(
  { api, pkcs11 }: TokenApi,
  session: Handle,
  kek: Handle,
  wrapped: Uint8Array,
  aad: Buffer,
): Promise<Uint8Array> {
  if (wrapped.length !== 1 + DATA_KEY_BYTES + DIGEST_BYTES + 8) throw new CipherlayerError('ERR_DECRYPT');
  const object = await pkcs11.C_UnwrapKeyAsync(
    session,
    { mechanism: api.CKM_AES_KEY_WRAP_PAD },
    kek,
    Buffer.from(asBuffer(wrapped).subarray(1)),
    [
      { type: api.CKA_CLASS, value: api.CKO_SECRET_KEY },
      { type: api.CKA_KEY_TYPE, value: api.CKK_GENERIC_SECRET },
      { type: api.CKA_TOKEN, value: false },
      { type: api.CKA_PRIVATE, value: true },
      { type: api.CKA_SENSITIVE, value: false },
      { type: api.CKA_EXTRACTABLE, value: true },
    ],
  );
  let secret: Buffer | undefined;
  try {
    secret = pkcs11.C_GetAttributeValue(session, object, [{ type: api.CKA_VALUE }])[0]?.value;
  } finally {
    pkcs11.C_DestroyObject(session, object);
  }
  if (secret?.length !== DATA_KEY_BYTES + DIGEST_BYTES) throw new CipherlayerError('ERR_DECRYPT');
  try {
    if (!timingSafeEqual(secret.subarray(DATA_KEY_BYTES), digest(aad)))
      throw new CipherlayerError('ERR_DECRYPT');
    return new Uint8Array(secret.subarray(0, DATA_KEY_BYTES));
  } finally {
    secret.fill(0);
  }
}

function digest(aad: Buffer): Buffer {
  return createHash('sha256').update(aad).digest();
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
