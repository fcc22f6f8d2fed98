import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClientProtocol } from '../src/cl1/client.js';
import { fromJsonMessage, parseJsonMessage, toJsonMessage } from '../src/cl1/json.js';
import {
  encodeRequestHeader,
  encodeResponseHeader,
  encodeSessionRequestHeader,
  encodeSessionResponseHeader,
  messageTypeOf,
  parseEncapsulatedRequest,
  parseEncapsulatedResponse,
  parseSessionRequest,
  parseSessionResponse,
} from '../src/cl1/messages.js';
import { ServerProtocol } from '../src/cl1/server.js';
import { kemParams, P256_SHA256_AES256GCM, X25519_SHA256_AES256GCM } from '../src/hpke/suites.js';
import { ServerKeySet } from '../src/keys/key-set.js';
import { generateServerKey } from '../src/keys/server-key.js';
import type { CryptoBackend } from '../src/lib/backend.js';
import { concat, fromBase64, fromBase64Url, toBase64, toBase64Url, utf8 } from '../src/lib/bytes.js';
import { CipherlayerError } from '../src/lib/errors.js';
import { ByteReader, ByteWriter } from '../src/lib/reader.js';
import {
  decodeKeyConfig,
  decodeKeyConfigList,
  encodeKeyConfig,
  encodeKeyConfigList,
} from '../src/ohttp/key-config.js';
import { attempt, backends, run } from './helpers/backends.js';

/**
 * Every parser of untrusted input either returns or throws CipherlayerError
 * (never another exception, never slowly), returns views into its input
 * rather than copies, and accepts only canonical encodings: what it returns
 * re-encodes to exactly the input.
 */

/**
 * A hang guard, not a speed target: a parser that loops or backtracks on some
 * input takes seconds, while a correct one takes microseconds. The margin is
 * wide so that a loaded machine (CI, two cores) never trips it.
 */
const MAX_CALL_MS = 1000;
/** Time budget of one property; exceeding it fails the test instead of silently running fewer cases. */
const budget = (ms: number) => ({ plugins: [fc.interruptAfterTimeLimit(ms, { failOnInterrupt: true })] });

type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: CipherlayerError };

/** Runs a parser: anything but a CipherlayerError is rethrown (failing the property), and so is slowness. */
function parse<T>(fn: () => T): Parsed<T> {
  const started = performance.now();
  let result: Parsed<T>;
  try {
    result = { ok: true, value: fn() };
  } catch (error) {
    if (!(error instanceof CipherlayerError)) throw error;
    result = { ok: false, error };
  }
  expect(performance.now() - started).toBeLessThan(MAX_CALL_MS);
  return result;
}

/** A part of a parse result is a view into the input: the same buffer, inside the input's range. */
function expectView(part: Uint8Array, input: Uint8Array): void {
  expect(part.buffer).toBe(input.buffer);
  expect(part.byteOffset).toBeGreaterThanOrEqual(input.byteOffset);
  expect(part.byteOffset + part.length).toBeLessThanOrEqual(input.byteOffset + input.length);
}

/** Places `bytes` inside a larger buffer, so that a view that ignores byteOffset would be caught. */
function embedded(bytes: Uint8Array, before: number, after: number): Uint8Array {
  const buffer = new Uint8Array(before + bytes.length + after).fill(0xee);
  buffer.set(bytes, before);
  return buffer.subarray(before, before + bytes.length);
}

const PRINTABLE = /^[\x20-\x7e]*$/;
const TYPES = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x80, 0xff];
const KEMS = [0x0010, 0x0011, 0x0012, 0x0020];

const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const u64 = (n: number) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setUint32(0, Math.floor(n / 2 ** 32));
  new DataView(out.buffer).setUint32(4, n >>> 0);
  return out;
};

const byte = fc.integer({ min: 0, max: 255 });
/** Byte strings of any length up to `maxLength` (fast-check's default size would stop near 10). */
const bytes = (maxLength: number) => fc.uint8Array({ maxLength, size: 'max' });
const kemId = fc.oneof(fc.constantFrom(...KEMS), fc.integer({ min: 0, max: 0xffff }));
/** Mostly plausible 64-bit values, sometimes beyond 2^53. */
const u64Bytes = fc.oneof(
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).map(u64),
  fc.uint8Array({ minLength: 8, maxLength: 8 }),
);
const contentType = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => {
      const b = utf8(s);
      return concat(Uint8Array.of(b.length), b);
    }),
  },
  { weight: 1, arbitrary: fc.tuple(byte, bytes(40)).map(([n, b]) => concat(Uint8Array.of(n), b)) },
);

/** Requests whose fields are each plausible or not: they reach every check of the parser. */
const nearRequest = fc
  .record({
    type: fc.constantFrom(0x01, 0x03, 0x05),
    keyId: byte,
    kem: kemId,
    kdf: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 0xffff })),
    aead: fc.oneof(fc.constant(2), fc.integer({ min: 0, max: 0xffff })),
    ts: u64Bytes,
    rid: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    cty: contentType,
    encDelta: fc.constantFrom(0, 0, 0, -1, 1),
    ct: bytes(48),
  })
  .chain((r) => {
    const nEnc = KEMS.includes(r.kem) ? kemParams(r.kem).nEnc : 32;
    return fc
      .uint8Array({ minLength: Math.max(0, nEnc + r.encDelta), maxLength: Math.max(0, nEnc + r.encDelta) })
      .map((enc) =>
        concat(
          Uint8Array.of(0xc1, r.type, r.keyId),
          u16(r.kem),
          u16(r.kdf),
          u16(r.aead),
          r.ts,
          r.rid,
          r.cty,
          enc,
          r.ct,
        ),
      );
  });

const nearSession = fc
  .tuple(
    fc.constantFrom(0x05, 0x06),
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
    u64Bytes,
    contentType,
    bytes(48),
  )
  .map(([type, sid, counter, cty, ct]) =>
    type === 0x05
      ? concat(Uint8Array.of(0xc1, type), sid, counter, cty, ct)
      : concat(Uint8Array.of(0xc1, type), counter, cty, ct),
  );

const nearResponse = fc
  .tuple(fc.constantFrom(0x02, 0x04), contentType, bytes(80))
  .map(([type, cty, rest]) => concat(Uint8Array.of(0xc1, type), cty, rest));

const prefixed = fc
  .tuple(fc.constantFrom(...TYPES), bytes(200))
  .map(([type, rest]) => concat(Uint8Array.of(0xc1, type), rest));

/** Real messages of every type, made once; mutated below. */
const real: Uint8Array[] = [];
const realJson: string[] = [];
let realKeyConfigs: Uint8Array;

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'cut'; at: number }
  | { op: 'insert'; at: number; data: Uint8Array }
  | { op: 'delete'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: byte }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    data: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(message: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = message.slice();
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    switch (m.op) {
      case 'flip':
        out[at] = (out[at] as number) ^ (1 << m.bit);
        break;
      case 'set':
        out[at] = m.value;
        break;
      case 'cut':
        out = out.slice(0, at);
        break;
      case 'insert':
        out = concat(out.subarray(0, at), m.data, out.subarray(at));
        break;
      case 'delete':
        out = concat(out.subarray(0, at), out.subarray(at + m.length));
        break;
    }
  }
  return out;
}

const mutatedReal = fc
  .tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([i, mutations]) => mutate(real[i % real.length]!, mutations));

/** Any input a parser may see, placed at an offset inside a larger buffer. */
const input = fc
  .tuple(
    fc.oneof(
      { weight: 1, arbitrary: bytes(300) },
      { weight: 1, arbitrary: prefixed },
      { weight: 3, arbitrary: nearRequest },
      { weight: 3, arbitrary: nearSession },
      { weight: 2, arbitrary: nearResponse },
      { weight: 3, arbitrary: mutatedReal },
    ),
    fc.nat(16),
    fc.nat(16),
  )
  .map(([message, before, after]) => embedded(message, before, after));

const ROUTE = { method: 'POST', target: '/api/transfer?from=1' };
const HANDSHAKE = { method: 'POST', target: '/.well-known/cipherlayer/session' };

async function world(backend: CryptoBackend) {
  const keys = new ServerKeySet([
    await run(backend, generateServerKey({ keyId: 7 })),
    await run(backend, generateServerKey({ keyId: 8, suite: P256_SHA256_AES256GCM })),
  ]);
  const server = new ServerProtocol({ backend, keys, maxBodyBytes: 512 });
  const discovery = await server.discovery();
  const x25519 = await ClientProtocol.create({ backend, discovery, suites: [X25519_SHA256_AES256GCM] });
  const p256 = await ClientProtocol.create({ backend, discovery, suites: [P256_SHA256_AES256GCM] });
  return { server, discovery, clients: [x25519, p256] };
}

beforeAll(async () => {
  const backend = backends[0]![1];
  const w = await world(backend);
  realKeyConfigs = fromBase64Url(w.discovery.ohttpKeys);
  const reply = { status: 200, contentType: 'application/json', body: utf8('{"balance":1875}') };
  for (const client of w.clients) {
    const sealed = await client.sealRequest(ROUTE, {
      contentType: 'application/json',
      body: utf8('{"a":1}'),
    });
    const response = await (await w.server.openRequest(sealed.message, ROUTE)).sealResponse(reply);
    const hello = await client.startHandshake(HANDSHAKE);
    const accepted = await w.server.handshake(hello.message, HANDSHAKE);
    const session = await hello.finish(accepted.response, 200);
    const inSession = await session.sealRequest(ROUTE, { contentType: '', body: new Uint8Array(0) });
    const sessionResponse = await (await w.server.openRequest(inSession.message, ROUTE)).sealResponse(reply);
    real.push(sealed.message, response, hello.message, accepted.response, inSession.message, sessionResponse);
  }
  for (const message of real) realJson.push(JSON.stringify(toJsonMessage(message)));
});

describe('binary message parsers', () => {
  it('parseEncapsulatedRequest: CipherlayerError or views that re-encode to the input', () => {
    let parsedCount = 0;
    fc.assert(
      fc.property(input, (message) => {
        const parsed = parse(() => parseEncapsulatedRequest(message));
        if (!parsed.ok) return;
        parsedCount++;
        const r = parsed.value;
        for (const part of [r.header, r.requestId, r.enc, r.ciphertext]) expectView(part, message);
        expect(r.header.byteOffset).toBe(message.byteOffset);
        expect(r.header.length + r.enc.length + r.ciphertext.length).toBe(message.length);
        expect(r.enc.byteOffset).toBe(message.byteOffset + r.header.length);
        expect(r.enc.length).toBe(kemParams(r.kemId).nEnc);
        expect(r.ciphertext.length).toBeGreaterThanOrEqual(16);
        expect(r.contentType).toMatch(PRINTABLE);
        expect(encodeRequestHeader(r)).toEqual(Uint8Array.from(r.header));
      }),
      { numRuns: 5000, ...budget(10_000) },
    );
    // The generators reach the success path, not only the errors.
    expect(parsedCount).toBeGreaterThan(100);
  });

  it('parseEncapsulatedResponse: CipherlayerError or views that re-encode to the input', () => {
    let parsedCount = 0;
    fc.assert(
      fc.property(input, fc.constantFrom(12, 16, 32), (message, nonceLength) => {
        const parsed = parse(() => parseEncapsulatedResponse(message, nonceLength));
        if (!parsed.ok) return;
        parsedCount++;
        const r = parsed.value;
        for (const part of [r.header, r.responseNonce, r.ciphertext]) expectView(part, message);
        expect(r.header.length + r.responseNonce.length + r.ciphertext.length).toBe(message.length);
        expect(r.responseNonce.length).toBe(nonceLength);
        expect(r.ciphertext.length).toBeGreaterThanOrEqual(16);
        expect(encodeResponseHeader(r.type, r.contentType)).toEqual(Uint8Array.from(r.header));
      }),
      { numRuns: 5000, ...budget(10_000) },
    );
    expect(parsedCount).toBeGreaterThan(100);
  });

  it('parseSessionRequest and parseSessionResponse: CipherlayerError or views that re-encode to the input', () => {
    const parsedCount = { request: 0, response: 0 };
    fc.assert(
      fc.property(input, (message) => {
        const request = parse(() => parseSessionRequest(message));
        if (request.ok) {
          parsedCount.request++;
          const r = request.value;
          for (const part of [r.header, r.sessionId, r.ciphertext]) expectView(part, message);
          expect(r.header.length + r.ciphertext.length).toBe(message.length);
          expect(Number.isSafeInteger(r.counter)).toBe(true);
          expect(encodeSessionRequestHeader(r.sessionId, r.counter, r.contentType)).toEqual(
            Uint8Array.from(r.header),
          );
        }
        const response = parse(() => parseSessionResponse(message));
        if (response.ok) {
          parsedCount.response++;
          const r = response.value;
          for (const part of [r.header, r.ciphertext]) expectView(part, message);
          expect(r.header.length + r.ciphertext.length).toBe(message.length);
          expect(encodeSessionResponseHeader(r.counter, r.contentType)).toEqual(Uint8Array.from(r.header));
        }
        // One message is never both.
        expect(request.ok && response.ok).toBe(false);
      }),
      { numRuns: 5000, ...budget(10_000) },
    );
    expect(parsedCount.request).toBeGreaterThan(60);
    expect(parsedCount.response).toBeGreaterThan(60);
  });

  it('messageTypeOf answers exactly for 0xC1 followed by a type from 1 to 6', () => {
    fc.assert(
      fc.property(input, (message) => {
        const parsed = parse(() => messageTypeOf(message));
        const valid = message.length >= 2 && message[0] === 0xc1 && message[1]! >= 1 && message[1]! <= 6;
        expect(parsed.ok).toBe(valid);
        if (parsed.ok) expect(parsed.value).toBe(message[1]);
        else expect(parsed.error.code).toBe('ERR_MALFORMED');
      }),
      { numRuns: 3000, ...budget(5000) },
    );
  });

  it('parsing a huge message costs no copy of it', () => {
    const huge = embedded(concat(real[0]!, new Uint8Array(32 * 1024 * 1024)), 3, 5);
    const parsed = parse(() => parseEncapsulatedRequest(huge));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      for (const part of [parsed.value.header, parsed.value.enc, parsed.value.ciphertext])
        expectView(part, huge);
      expect(parsed.value.ciphertext.length).toBeGreaterThan(32 * 1024 * 1024);
    }
  });
});

describe('key config parsers (RFC 9458)', () => {
  const keyConfig = fc
    .record({
      keyId: byte,
      kem: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KEMS) }, { weight: 1, arbitrary: kemId }),
      pkDelta: fc.constantFrom(0, 0, 0, -1, 1),
      algorithms: fc.array(
        fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })),
        {
          maxLength: 4,
        },
      ),
      lengthDelta: fc.constantFrom(0, 0, 0, -1, 1, 4),
    })
    .chain((c) => {
      const nPk = KEMS.includes(c.kem) ? kemParams(c.kem).nPk : 32;
      const length = Math.max(0, nPk + c.pkDelta);
      return fc
        .uint8Array({ minLength: length, maxLength: length })
        .map((pk) =>
          concat(
            Uint8Array.of(c.keyId),
            u16(c.kem),
            pk,
            u16(Math.max(0, c.algorithms.length * 4 + c.lengthDelta)),
            ...c.algorithms.flatMap(([kdf, aead]) => [u16(kdf), u16(aead)]),
          ),
        );
    });
  const keyConfigList = fc
    .array(fc.tuple(keyConfig, fc.constantFrom(0, 0, 0, -1, 1)), { maxLength: 3 })
    .map((configs) => concat(...configs.flatMap(([c, delta]) => [u16(Math.max(0, c.length + delta)), c])));
  const configInput = fc
    .tuple(
      fc.oneof(
        bytes(200),
        keyConfig,
        keyConfigList,
        fc.array(mutation, { minLength: 1, maxLength: 3 }).map((m) => mutate(realKeyConfigs, m)),
        fc
          .array(mutation, { minLength: 1, maxLength: 3 })
          .map((m) => mutate(realKeyConfigs.subarray(2, 2 + realKeyConfigs[1]!), m)),
      ),
      fc.nat(8),
      fc.nat(8),
    )
    .map(([b, before, after]) => embedded(b, before, after));

  it('the real key config list decodes, and re-encodes to itself', () => {
    const configs = decodeKeyConfigList(realKeyConfigs);
    expect(configs.map((c) => c.keyId)).toEqual([8, 7]);
    expect(encodeKeyConfigList(configs)).toEqual(realKeyConfigs);
  });

  it('decodeKeyConfig and decodeKeyConfigList: CipherlayerError or views that re-encode to the input', () => {
    let decoded = 0;
    fc.assert(
      fc.property(configInput, (config) => {
        const one = parse(() => decodeKeyConfig(config));
        if (one.ok) {
          decoded++;
          expectView(one.value.publicKey, config);
          expect(encodeKeyConfig(one.value)).toEqual(Uint8Array.from(config));
        }
        const list = parse(() => decodeKeyConfigList(config));
        if (list.ok) {
          decoded++;
          for (const c of list.value) expectView(c.publicKey, config);
          expect(encodeKeyConfigList(list.value)).toEqual(Uint8Array.from(config));
        }
      }),
      { numRuns: 5000, ...budget(10_000) },
    );
    // The generators reach the success path, not only the errors.
    expect(decoded).toBeGreaterThan(100);
  });
});

describe('JSON message decoding', () => {
  const TAGS = ['request', 'handshake', 'response', 'handshake-response', 'session', 'session-response'];
  const b64 = (min: number, max: number) =>
    fc.uint8Array({ minLength: min, maxLength: max }).map(toBase64Url);
  const member = <T>(valid: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) });
  const integer = (max: number) => fc.oneof(fc.integer({ min: 0, max }), fc.integer(), fc.double());
  /** Objects with the right members, each plausible or not, sometimes one more or one less. */
  const nearJson = fc
    .record({
      cl1: member(fc.constantFrom(...TAGS)),
      kid: member(integer(255)),
      kem: member(fc.oneof(fc.constantFrom(...KEMS), integer(0xffff))),
      kdf: member(integer(0xffff)),
      aead: member(integer(0xffff)),
      ts: member(integer(Number.MAX_SAFE_INTEGER)),
      rid: member(b64(15, 17)),
      cty: member(fc.string({ maxLength: 20 })),
      enc: member(fc.oneof(b64(32, 32), b64(65, 65), b64(0, 140))),
      nonce: member(fc.oneof(b64(32, 32), b64(0, 40))),
      sid: member(b64(15, 17)),
      n: member(integer(Number.MAX_SAFE_INTEGER)),
      ct: member(b64(0, 60)),
      extra: fc.jsonValue({ maxDepth: 1 }),
    })
    .chain((all) => {
      const wanted: Record<string, string[]> = {
        request: ['kid', 'kem', 'kdf', 'aead', 'ts', 'rid', 'cty', 'enc', 'ct'],
        handshake: ['kid', 'kem', 'kdf', 'aead', 'ts', 'rid', 'cty', 'enc', 'ct'],
        response: ['cty', 'nonce', 'ct'],
        'handshake-response': ['cty', 'nonce', 'ct'],
        session: ['sid', 'n', 'cty', 'ct'],
        'session-response': ['n', 'cty', 'ct'],
      };
      const names = [
        'cl1',
        ...((typeof all.cl1 === 'string' && Object.hasOwn(wanted, all.cl1) ? wanted[all.cl1] : undefined) ?? [
          'ct',
        ]),
      ];
      return fc.constantFrom('exact', 'exact', 'exact', 'extra', 'missing').map((shape) => {
        const chosen = shape === 'missing' ? names.slice(1) : shape === 'extra' ? [...names, 'extra'] : names;
        return Object.fromEntries(chosen.map((name) => [name, all[name as keyof typeof all]]));
      });
    });

  const jsonInput = fc.oneof(fc.jsonValue(), nearJson);

  it('fromJsonMessage on any JSON value: CipherlayerError, or bytes whose JSON form is the input', () => {
    let decoded = 0;
    fc.assert(
      fc.property(jsonInput, (value) => {
        const parsed = parse(() => fromJsonMessage(value));
        if (!parsed.ok) return;
        decoded++;
        expect(messageTypeOf(parsed.value)).toBeGreaterThan(0);
        // Canonical: the bytes re-encode to the same JSON, or do not parse as a message at all.
        const back = parse(() => toJsonMessage(parsed.value));
        if (back.ok) expect(back.value).toEqual(JSON.parse(JSON.stringify(value)));
        else expect(back.error.code).toBe('ERR_MALFORMED');
      }),
      { numRuns: 4000, ...budget(8000) },
    );
    expect(decoded).toBeGreaterThan(50);
  });

  const textMutation = fc.record({ at: fc.nat(), text: fc.string({ maxLength: 3 }), remove: fc.nat(3) });
  const jsonText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
    fc.json(),
    nearJson.map((v) => JSON.stringify(v)),
    fc.tuple(fc.nat(), fc.array(textMutation, { minLength: 1, maxLength: 3 })).map(([i, edits]) => {
      let text = realJson[i % realJson.length]!;
      for (const edit of edits) {
        const at = edit.at % (text.length + 1);
        text = text.slice(0, at) + edit.text + text.slice(at + edit.remove);
      }
      return text;
    }),
  );

  it('parseJsonMessage on any string: CipherlayerError or a message, and ERR_TOO_LARGE exactly past the limit', () => {
    fc.assert(
      fc.property(jsonText, fc.nat(400), (text, maxLength) => {
        const parsed = parse(() => parseJsonMessage(text, maxLength));
        if (text.length > maxLength) {
          expect(parsed.ok).toBe(false);
          if (!parsed.ok) expect(parsed.error.code).toBe('ERR_TOO_LARGE');
        } else if (!parsed.ok) {
          expect(['ERR_MALFORMED', 'ERR_SUITE_NOT_ALLOWED']).toContain(parsed.error.code);
        }
      }),
      { numRuns: 4000, ...budget(8000) },
    );
  });

  describe('the length limit comes before JSON.parse', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    const overLimit = fc
      .oneof(jsonText, fc.constant('['.repeat(5000)))
      .filter((text) => text.length > 0)
      .chain((text) => fc.tuple(fc.constant(text), fc.nat(text.length - 1)));

    it('text over the limit, valid JSON or not, is ERR_TOO_LARGE without being parsed', () => {
      const spy = vi.spyOn(JSON, 'parse');
      fc.assert(
        fc.property(overLimit, ([text, maxLength]) => {
          const parsed = parse(() => parseJsonMessage(text, maxLength));
          expect(parsed.ok === false && parsed.error.code).toBe('ERR_TOO_LARGE');
        }),
        { numRuns: 1000, ...budget(5000) },
      );
      expect(spy).not.toHaveBeenCalled();
      // Under the limit, the same kind of text is parsed (so the spy would have seen it), and malformed.
      expect(parse(() => parseJsonMessage('{"cl1":', 100)).ok).toBe(false);
      expect(spy).toHaveBeenCalledTimes(1);
    });
  });
});

describe('base64 decoding', () => {
  const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const near = fc.string({
    unit: fc.constantFrom(...`${URL_ALPHABET}+/=  \n.\u00e9\ud800`),
    maxLength: 40,
  });
  const text = fc.oneof(
    near,
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.uint8Array({ maxLength: 30 }).map(toBase64Url),
    fc.uint8Array({ maxLength: 30 }).map(toBase64),
    fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.nat(), fc.constantFrom(...URL_ALPHABET))
      .map(([b, at, c]) => {
        const s = toBase64Url(b);
        const i = at % s.length;
        return s.slice(0, i) + c + s.slice(i + 1);
      }),
  );

  it('fromBase64Url: CipherlayerError, or bytes whose canonical encoding is the input', () => {
    fc.assert(
      fc.property(text, (s) => {
        const parsed = parse(() => fromBase64Url(s));
        if (parsed.ok) {
          expect(toBase64Url(parsed.value)).toBe(s);
          expect(parsed.value.length).toBe(Math.floor((s.length * 3) / 4));
        } else expect(parsed.error.code).toBe('ERR_MALFORMED');
      }),
      { numRuns: 5000, ...budget(5000) },
    );
  });

  it('fromBase64: CipherlayerError, or bytes whose canonical encoding is the input', () => {
    fc.assert(
      fc.property(text, (s) => {
        const parsed = parse(() => fromBase64(s));
        if (parsed.ok) expect(toBase64(parsed.value)).toBe(s);
        else expect(parsed.error.code).toBe('ERR_MALFORMED');
      }),
      { numRuns: 5000, ...budget(5000) },
    );
  });

  it('both round-trip any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        expect(fromBase64Url(toBase64Url(b))).toEqual(b);
        expect(fromBase64(toBase64(b))).toEqual(b);
        expect(toBase64(b)).toMatch(new RegExp(`^[${STD_ALPHABET}]*={0,2}$`));
      }),
      { numRuns: 1000, ...budget(3000) },
    );
  });
});

describe.each(backends)('ServerProtocol on arbitrary bytes (%s)', (name, backend) => {
  it('openRequest and handshake only ever throw CipherlayerError', async () => {
    const w = await world(backend);
    // Messages that get past parsing into key lookup and HPKE: key 7 or 8, its suite, a fresh timestamp.
    const deep = fc
      .tuple(
        fc.constantFrom(0x01, 0x03),
        fc.constantFrom(7, 8),
        bytes(120),
        fc.integer({ min: -40_000, max: 40_000 }),
      )
      .map(([type, keyId, rest, skew]) => {
        const kem = keyId === 7 ? 0x20 : 0x10;
        return concat(
          encodeRequestHeader({
            type,
            keyId,
            kemId: kem,
            kdfId: 1,
            aeadId: 2,
            timestamp: Date.now() + skew,
            requestId: new Uint8Array(16),
            contentType: 'application/json',
          }),
          kem === 0x10 ? Uint8Array.of(0x04) : new Uint8Array(0),
          rest,
        );
      });
    const session = await (async () => {
      const hello = await w.clients[0]!.startHandshake(HANDSHAKE);
      return (await w.server.handshake(hello.message, HANDSHAKE)).sessionId;
    })();
    const inSession = fc
      .tuple(fc.oneof(fc.nat(200), fc.nat()), bytes(60))
      .map(([counter, rest]) => concat(encodeSessionRequestHeader(session, counter, ''), rest));
    const big = fc.nat(8).map((n) => new Uint8Array(512 + 1024 + n));
    const anyInput = fc.oneof(input, deep, inSession, big);
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(anyInput, async (message) => {
        const entryPoints: (() => unknown)[] = [
          () => w.server.openRequest(message, ROUTE),
          () => w.server.handshake(message, HANDSHAKE),
        ];
        for (const open of entryPoints) {
          try {
            await attempt(open);
            seen.add('accepted');
          } catch (error) {
            if (!(error instanceof CipherlayerError)) throw error;
            seen.add(error.code);
          }
        }
      }),
      { numRuns: name === 'webcrypto' ? 1000 : 3000, ...budget(12_000) },
    );
    // The inputs reached the checks behind parsing, not only the parser.
    for (const code of [
      'ERR_MALFORMED',
      'ERR_DECRYPT',
      'ERR_STALE',
      'ERR_TOO_LARGE',
      'ERR_SESSION_UNKNOWN',
    ]) {
      expect(seen).toContain(code);
    }
  });
});

describe('ByteWriter', () => {
  it('writes any sequence of fields exactly, across buffer growth', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ k: fc.constant('u8' as const), v: fc.integer({ min: 0, max: 0xff }) }),
            fc.record({ k: fc.constant('u16' as const), v: fc.integer({ min: 0, max: 0xffff }) }),
            fc.record({ k: fc.constant('u32' as const), v: fc.integer({ min: 0, max: 0xffffffff }) }),
            fc.record({
              k: fc.constant('u64' as const),
              v: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
            }),
            fc.record({ k: fc.constant('bytes' as const), v: fc.uint8Array({ maxLength: 300 }) }),
          ),
          { maxLength: 40 },
        ),
        (fields) => {
          const writer = new ByteWriter(1);
          for (const f of fields) {
            if (f.k === 'bytes') writer.bytes(f.v);
            else writer[f.k](f.v);
          }
          const reader = new ByteReader(writer.finish());
          for (const f of fields) {
            if (f.k === 'bytes') expect(reader.take(f.v.length)).toEqual(f.v);
            else expect(reader[f.k]()).toBe(f.v);
          }
          reader.end();
        },
      ),
      { numRuns: 300 },
    );
  });
});
