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

  // Integers are read in place: a subarray per field would allocate a view for each.
  #advance(length: number): number {
    const offset = this.#offset;
    if (length < 0 || offset + length > this.bytes.length) throw new CipherlayerError('ERR_MALFORMED');
    this.#offset = offset + length;
    return offset;
  }

  u8(): number {
    return this.bytes[this.#advance(1)] as number;
  }

  u16(): number {
    const at = this.#advance(2);
    const b = this.bytes;
    return ((b[at] as number) << 8) | (b[at + 1] as number);
  }

  u32(): number {
    const at = this.#advance(4);
    const b = this.bytes;
    return (
      (b[at] as number) * 0x1000000 +
      (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number))
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
    const at = this.#advance(length);
    return this.bytes.subarray(at, at + length);
  }

  /**
   * `length` bytes of visible ASCII (0x20 to 0x7e) as a string; any other
   * byte is malformed. Decoded in place: these are short header fields.
   */
  ascii(length: number): string {
    if (length === 0) return '';
    const at = this.#advance(length);
    const b = this.bytes;
    let text = '';
    for (let i = at; i < at + length; i++) {
      const byte = b[i] as number;
      if (byte < 0x20 || byte > 0x7e) throw new CipherlayerError('ERR_MALFORMED');
      text += String.fromCharCode(byte);
    }
    return text;
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
