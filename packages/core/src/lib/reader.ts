import { CipherlayerError } from './errors.js';

/**
 * A bounds-checked cursor over a message. Every read past the end, and every
 * length that does not fit, is a malformed message. Reads return views into
 * the input (no copies), so parsing allocates nothing proportional to input.
 */
export class ByteReader {
  #offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  u8(): number {
    return this.take(1)[0] as number;
  }

  u16(): number {
    const b = this.take(2);
    return ((b[0] as number) << 8) | (b[1] as number);
  }

  u32(): number {
    const b = this.take(4);
    return (
      (b[0] as number) * 0x1000000 + (((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number))
    );
  }

  /** A 64-bit unsigned integer; values above 2^53 - 1 are malformed here. */
  u64(): number {
    const high = this.u32();
    const low = this.u32();
    if (high > 0x1fffff) throw new CipherlayerError('ERR_MALFORMED');
    return high * 0x100000000 + low;
  }

  take(length: number): Uint8Array {
    if (length < 0 || this.#offset + length > this.bytes.length) throw new CipherlayerError('ERR_MALFORMED');
    const view = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return view;
  }

  rest(): Uint8Array {
    return this.take(this.remaining);
  }

  end(): void {
    if (this.remaining !== 0) throw new CipherlayerError('ERR_MALFORMED');
  }
}

/**
 * Writes big-endian integers; the counterpart of ByteReader. One growing
 * buffer, no allocation per field (encoders run on every message).
 */
export class ByteWriter {
  #buffer: Uint8Array;
  #view: DataView;
  #length = 0;

  constructor(capacity = 64) {
    this.#buffer = new Uint8Array(capacity);
    this.#view = new DataView(this.#buffer.buffer);
  }

  #reserve(size: number): number {
    const offset = this.#length;
    if (offset + size > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, offset + size));
      grown.set(this.#buffer.subarray(0, offset));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length += size;
    return offset;
  }

  u8(value: number): this {
    const offset = this.#reserve(1); // reserve first: it may replace the buffer
    this.#buffer[offset] = value & 0xff;
    return this;
  }

  u16(value: number): this {
    const offset = this.#reserve(2);
    this.#view.setUint16(offset, value & 0xffff);
    return this;
  }

  u32(value: number): this {
    const offset = this.#reserve(4);
    this.#view.setUint32(offset, value >>> 0);
    return this;
  }

  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError('u64: not a safe non-negative integer');
    const offset = this.#reserve(8);
    this.#view.setUint32(offset, Math.floor(value / 0x100000000));
    this.#view.setUint32(offset + 4, value >>> 0);
    return this;
  }

  bytes(value: Uint8Array): this {
    const offset = this.#reserve(value.length);
    this.#buffer.set(value, offset);
    return this;
  }

  /** The written bytes, in a buffer of exactly their length. */
  finish(): Uint8Array<ArrayBuffer> {
    return this.#buffer.slice(0, this.#length);
  }
}
