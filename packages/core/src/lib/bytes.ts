import { CipherlayerError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  // Short ASCII strings (methods, paths, content types) are the hot case: a plain loop
  // beats TextEncoder's call overhead there.
  if (text.length <= 64) {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) return encoder.encode(text);
      out[i] = code;
    }
    return out;
  }
  return encoder.encode(text);
}

/** Strict UTF-8 decoding: invalid sequences are a malformed message, not U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new CipherlayerError('ERR_MALFORMED', { cause });
  }
}

/** Bytes this library produces: backed by a plain ArrayBuffer, so fetch, Blob and Web Crypto accept them. */
export type Bytes = Uint8Array<ArrayBuffer>;

export function concat(...parts: readonly Uint8Array[]): Bytes {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** `a ‖ b`: the two-part case of `concat`, without the rest-parameter array. */
export function concatPair(a: Uint8Array, b: Uint8Array): Bytes {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** I2OSP from RFC 8017: `value` as a big-endian integer of `length` bytes. */
export function i2osp(value: number, length: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError('i2osp: not a safe non-negative integer');
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  if (rest !== 0) throw new RangeError('i2osp: value too large for length');
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export function xorInto(target: Uint8Array, source: Uint8Array): Uint8Array {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) ^ (source[i] as number);
  return target;
}

/**
 * A nonce from a base and a counter: base XOR I2OSP(counter, length), as
 * HPKE (RFC 9180, section 5.2) and TLS 1.3 compute per-message nonces.
 */
export function counterNonce(base: Uint8Array, counter: number): Uint8Array {
  const nonce = new Uint8Array(base.length);
  let rest = counter;
  for (let i = nonce.length - 1; i >= 0 && rest > 0; i--) {
    nonce[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return xorInto(nonce, base);
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new CipherlayerError('ERR_MALFORMED');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE_URL = decodeTable(B64URL);
const DECODE_STD = decodeTable(B64STD);

function decodeTable(alphabet: string): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

function encodeWith(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

/**
 * Canonical decoding only: one string per byte sequence. A lenient decoder
 * would let a flipped bit in the unused trailing bits go unnoticed, which
 * would make "any bit flip is rejected" false for the JSON encoding.
 */
function decodeWith(text: string, table: Int16Array, padded: boolean): Uint8Array {
  let length = text.length;
  if (padded) {
    if (length % 4 !== 0) throw new CipherlayerError('ERR_MALFORMED');
    if (text.endsWith('==')) length -= 2;
    else if (text.endsWith('=')) length -= 1;
  }
  if (length % 4 === 1) throw new CipherlayerError('ERR_MALFORMED');
  const out = new Uint8Array(Math.floor((length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (table[code] as number) : -1;
    if (value < 0) throw new CipherlayerError('ERR_MALFORMED');
    acc = ((acc << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new CipherlayerError('ERR_MALFORMED');
  return out;
}

export function toBase64Url(bytes: Uint8Array): string {
  return encodeWith(bytes, B64URL, false);
}

export function fromBase64Url(text: string): Uint8Array {
  return decodeWith(text, DECODE_URL, false);
}

/** Standard, padded base64 (the seed profiles use it on the wire). */
export function toBase64(bytes: Uint8Array): string {
  return encodeWith(bytes, B64STD, true);
}

export function fromBase64(text: string): Uint8Array {
  return decodeWith(text, DECODE_STD, true);
}
