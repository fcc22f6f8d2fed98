import { CipherlayerError } from '@cipherlayer/core';
import type { WrappedKey } from '../keyring.js';

/**
 * A data key wrapped by several keyrings, as one WrappedKey ciphertext
 * (spec/records.md, "Multi-keyring"):
 *
 *   0x01 ‖ count (1 byte) ‖ count × ( lp(keyringId) ‖ lp(kekId) ‖ u32be(length) ‖ ciphertext )
 */

const VERSION = 0x01;

export function encodeWrappedList(list: readonly WrappedKey[]): Uint8Array {
  if (list.length === 0 || list.length > 255)
    throw new RangeError('a multi-keyring wraps under 1 to 255 keyrings');
  const parts: Buffer[] = [Buffer.of(VERSION, list.length)];
  for (const w of list) {
    const keyringId = Buffer.from(w.keyringId, 'utf8');
    const kekId = Buffer.from(w.kekId, 'utf8');
    const head = Buffer.alloc(2 + keyringId.length + 2 + kekId.length + 4);
    let at = head.writeUInt16BE(keyringId.length, 0);
    at += keyringId.copy(head, at);
    at = head.writeUInt16BE(kekId.length, at);
    at += kekId.copy(head, at);
    head.writeUInt32BE(w.ciphertext.length, at);
    parts.push(head, Buffer.from(w.ciphertext));
  }
  return new Uint8Array(Buffer.concat(parts));
}

export function decodeWrappedList(bytes: Uint8Array): WrappedKey[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = () => new CipherlayerError('ERR_DECRYPT');
  if (buf.length < 2 || buf[0] !== VERSION) throw fail();
  const count = buf[1] as number;
  const out: WrappedKey[] = [];
  let at = 2;
  const take = (length: number) => {
    if (at + length > buf.length) throw fail();
    const slice = buf.subarray(at, at + length);
    at += length;
    return slice;
  };
  for (let i = 0; i < count; i++) {
    const keyringId = take(take(2).readUInt16BE(0)).toString('utf8');
    const kekId = take(take(2).readUInt16BE(0)).toString('utf8');
    const ciphertext = new Uint8Array(take(take(4).readUInt32BE(0)));
    out.push({ keyringId, kekId, ciphertext });
  }
  if (at !== buf.length || count === 0) throw fail();
  return out;
}
