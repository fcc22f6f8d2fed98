import {
  AeadId,
  fromJsonMessage,
  isCipherlayerError,
  KdfId,
  KemId,
  MessageType,
  messageTypeOf,
  toHex,
  toJsonMessage,
} from '@cipherlayer/core';
import { inputError } from '../../lib/cli-error.js';

/** The facts a cl1 message shows without any key (spec/protocol.md, section 4). */
export interface Cl1Description {
  readonly format: 'cl1';
  readonly encoding: 'binary' | 'json' | 'base64url';
  readonly type: string;
  readonly typeByte: number;
  readonly direction: 'client to server' | 'server to client';
  readonly sealedWith: string;
  readonly sizes: Readonly<Record<string, number>>;
  readonly keyId?: number;
  readonly suite?: {
    readonly name: string;
    readonly kem: number;
    readonly kdf: number;
    readonly aead: number;
  };
  readonly timestamp?: { readonly ms: number; readonly iso: string; readonly ageSeconds: number };
  readonly requestId?: string;
  readonly sessionId?: string;
  readonly counter?: number;
  readonly contentType: string;
}

const TYPES: Record<number, { name: string; direction: Cl1Description['direction']; sealedWith: string }> = {
  [MessageType.Request]: {
    name: 'request',
    direction: 'client to server',
    sealedWith: 'HPKE to a server key',
  },
  [MessageType.Response]: {
    name: 'response',
    direction: 'server to client',
    sealedWith: "a key exported from its request's HPKE context",
  },
  [MessageType.HandshakeRequest]: {
    name: 'handshake',
    direction: 'client to server',
    sealedWith: 'HPKE to a server key',
  },
  [MessageType.HandshakeResponse]: {
    name: 'handshake-response',
    direction: 'server to client',
    sealedWith: "a key exported from the handshake's HPKE context",
  },
  [MessageType.SessionRequest]: {
    name: 'session',
    direction: 'client to server',
    sealedWith: 'the session c2s key',
  },
  [MessageType.SessionResponse]: {
    name: 'session-response',
    direction: 'server to client',
    sealedWith: 'the session s2c key',
  },
};

const KEM_NAMES: Record<number, string> = {
  [KemId.DhkemX25519Sha256]: 'X25519',
  [KemId.DhkemP256Sha256]: 'P-256',
  [KemId.DhkemP384Sha384]: 'P-384',
  [KemId.DhkemP521Sha512]: 'P-521',
};
const KDF_NAMES: Record<number, string> = {
  [KdfId.HkdfSha256]: 'HKDF-SHA256',
  [KdfId.HkdfSha384]: 'HKDF-SHA384',
  [KdfId.HkdfSha512]: 'HKDF-SHA512',
};
const AEAD_NAMES: Record<number, string> = {
  [AeadId.Aes128Gcm]: 'AES-128-GCM',
  [AeadId.Aes256Gcm]: 'AES-256-GCM',
};
const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

function suiteOf(kem: number, kdf: number, aead: number) {
  const label = [
    KEM_NAMES[kem] ?? `KEM ${hex(kem)}`,
    KDF_NAMES[kdf] ?? `KDF ${hex(kdf)}`,
    AEAD_NAMES[aead] ?? `AEAD ${hex(aead)}`,
  ];
  return { name: label.join(' / '), kem, kdf, aead };
}

const length = (b64url: string) => Buffer.from(b64url, 'base64url').length;

/** Describes a binary cl1 message; `encoding` is how it arrived. */
export function describeCl1(
  bytes: Uint8Array,
  encoding: Cl1Description['encoding'],
  now: number,
): Cl1Description {
  let json: ReturnType<typeof toJsonMessage>;
  let typeByte: number;
  try {
    typeByte = messageTypeOf(bytes);
    json = toJsonMessage(bytes);
  } catch (error) {
    const claimed =
      bytes[1] === undefined ? 'no type byte' : `type byte 0x${bytes[1].toString(16).padStart(2, '0')}`;
    const code = isCipherlayerError(error) ? error.code : 'ERR_MALFORMED';
    throw inputError(
      `malformed cl1 message (${claimed}, ${bytes.length} bytes): ${code === 'ERR_SUITE_NOT_ALLOWED' ? 'unknown KEM, so enc and ct cannot be split' : 'truncated, or a field out of range'}`,
      error,
    );
  }
  const type = TYPES[typeByte] as (typeof TYPES)[number];
  const ctyLength = Buffer.byteLength(json.cty);
  const ct = length(json.ct);
  const common = {
    format: 'cl1' as const,
    encoding,
    type: type.name,
    typeByte,
    direction: type.direction,
    sealedWith: type.sealedWith,
    contentType: json.cty,
  };
  switch (json.cl1) {
    case 'request':
    case 'handshake': {
      const header = 34 + ctyLength;
      const enc = length(json.enc);
      return {
        ...common,
        sizes: { message: bytes.length, header, enc, ciphertext: ct, plaintext: ct - 16 },
        keyId: json.kid,
        suite: suiteOf(json.kem, json.kdf, json.aead),
        timestamp: {
          ms: json.ts,
          iso: new Date(json.ts).toISOString(),
          ageSeconds: Math.round((now - json.ts) / 1000),
        },
        requestId: toHex(Buffer.from(json.rid, 'base64url')),
      };
    }
    case 'response':
    case 'handshake-response':
      return {
        ...common,
        sizes: {
          message: bytes.length,
          header: 3 + ctyLength,
          nonce: length(json.nonce),
          ciphertext: ct,
          plaintext: ct - 16,
        },
      };
    case 'session':
      return {
        ...common,
        sizes: { message: bytes.length, header: 27 + ctyLength, ciphertext: ct, plaintext: ct - 16 },
        sessionId: toHex(Buffer.from(json.sid, 'base64url')),
        counter: json.n,
      };
    case 'session-response':
      return {
        ...common,
        sizes: { message: bytes.length, header: 11 + ctyLength, ciphertext: ct, plaintext: ct - 16 },
        counter: json.n,
      };
  }
}

/** A JSON-encoded cl1 message back to its binary form, with a clear error for a malformed one. */
export function cl1FromJson(value: { cl1?: unknown }): Uint8Array {
  try {
    return fromJsonMessage(value);
  } catch (error) {
    const expected: Record<string, string> = {
      request: 'cl1, kid, kem, kdf, aead, ts, rid, cty, enc, ct',
      handshake: 'cl1, kid, kem, kdf, aead, ts, rid, cty, enc, ct',
      response: 'cl1, cty, nonce, ct',
      'handshake-response': 'cl1, cty, nonce, ct',
      session: 'cl1, sid, n, cty, ct',
      'session-response': 'cl1, n, cty, ct',
    };
    const members = typeof value.cl1 === 'string' ? expected[value.cl1] : undefined;
    throw inputError(
      members === undefined
        ? `JSON with an unknown cl1 type ${JSON.stringify(value.cl1)}: expected request, response, handshake, handshake-response, session or session-response`
        : `malformed cl1 JSON message (${value.cl1}): its members must be exactly ${members}, bytes in canonical base64url`,
      error,
    );
  }
}
