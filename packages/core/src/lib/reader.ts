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

/** Writes big-endian integers; the counterpart of ByteReader. */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  u8(value: number): this {
    return this.bytes(Uint8Array.of(value & 0xff));
  }

  u16(value: number): this {
    return this.bytes(Uint8Array.of((value >> 8) & 0xff, value & 0xff));
  }

  u32(value: number): this {
    return this.bytes(
      Uint8Array.of((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff),
    );
  }

  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError('u64: not a safe non-negative integer');
    this.u32(Math.floor(value / 0x100000000));
    return this.u32(value >>> 0);
  }

  bytes(value: Uint8Array): this {
    this.parts.push(value);
    this.length += value.length;
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}
