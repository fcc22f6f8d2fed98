import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { responseAad, setResponseStatus } from '../src/cl1/binding.js';
import { encodeSessionResponseHeader, encodeSessionResponseHeaderAndRoom } from '../src/cl1/messages.js';
import { CipherlayerError } from '../src/lib/errors.js';
import { ByteReader } from '../src/lib/reader.js';

/**
 * The server builds a session response's header and associated data in one
 * buffer copied from a template per content type. It must give exactly the
 * bytes of the plain encoders, and a fresh buffer every time: a template
 * shared between two responses would mix their counters and statuses.
 */
describe('session response header from a template', () => {
  const contentType = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
  const counter = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.maxSafeNat());
  const status = fc.integer({ min: 100, max: 999 });

  it('is the plain header followed by the status: the response AAD', () => {
    fc.assert(
      fc.property(counter, contentType, status, (n, cty, code) => {
        const header = encodeSessionResponseHeader(n, cty);
        const aad = setResponseStatus(encodeSessionResponseHeaderAndRoom(n, cty), code);
        expect(aad.subarray(0, aad.length - 2)).toEqual(header);
        expect(aad).toEqual(responseAad(header, code));
      }),
      { numRuns: 2000 },
    );
  });

  it('returns a new buffer each time, untouched by later calls', () => {
    const first = encodeSessionResponseHeaderAndRoom(7, 'application/json');
    const copy = Uint8Array.from(first);
    const second = encodeSessionResponseHeaderAndRoom(2 ** 40 + 3, 'application/json');
    setResponseStatus(second, 404);
    expect(second.buffer).not.toBe(first.buffer);
    expect(first).toEqual(copy);
    setResponseStatus(first, 200);
    expect(encodeSessionResponseHeaderAndRoom(7, 'application/json')).toEqual(copy);
  });

  it('refuses what the plain encoder refuses', () => {
    expect(() => encodeSessionResponseHeaderAndRoom(-1, '')).toThrow(RangeError);
    expect(() => encodeSessionResponseHeaderAndRoom(2 ** 53, '')).toThrow(RangeError);
    expect(() => encodeSessionResponseHeaderAndRoom(0, 'text/plain; é')).toThrow(CipherlayerError);
    expect(() => setResponseStatus(new Uint8Array(4), 99)).toThrow(CipherlayerError);
    expect(() => setResponseStatus(new Uint8Array(4), 200.5)).toThrow(CipherlayerError);
  });
});

describe('ByteReader.ascii', () => {
  it('reads visible ASCII in place and refuses any other byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const reader = new ByteReader(bytes);
        const visible = bytes.every((b) => b >= 0x20 && b <= 0x7e);
        if (visible) {
          expect(reader.ascii(bytes.length)).toBe(String.fromCharCode(...bytes));
          expect(reader.remaining).toBe(0);
        } else {
          expect(() => reader.ascii(bytes.length)).toThrow(CipherlayerError);
        }
      }),
      { numRuns: 2000 },
    );
    expect(() => new ByteReader(new Uint8Array(2)).ascii(3)).toThrow(CipherlayerError);
    expect(new ByteReader(new Uint8Array(0)).ascii(0)).toBe('');
  });
});
