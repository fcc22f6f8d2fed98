import { describe, expect, it } from 'vitest';
import { ClientProtocol } from '../src/cl1/client.js';
import { type JsonMessage, parseJsonMessage, toJsonMessage } from '../src/cl1/json.js';
import { ServerProtocol } from '../src/cl1/server.js';
import { P256_SHA256_AES256GCM, type Suite, X25519_SHA256_AES256GCM } from '../src/hpke/suites.js';
import { ServerKeySet } from '../src/keys/key-set.js';
import { generateServerKey } from '../src/keys/server-key.js';
import type { CryptoBackend } from '../src/lib/backend.js';
import { concat, equalBytes, fromBase64Url, toBase64Url, utf8 } from '../src/lib/bytes.js';
import { CipherlayerError, type ErrorCode } from '../src/lib/errors.js';
import { backends, run } from './helpers/backends.js';

/**
 * No modification of a cl1 message is ever accepted, and the receiver only
 * ever throws CipherlayerError, with a code from a small documented set that
 * depends on what was changed:
 *
 * - anything authenticated (request id, enc, nonce, ciphertext, content
 *   type, a timestamp still inside the window): ERR_DECRYPT;
 * - bytes that no longer parse: ERR_MALFORMED;
 * - header fields that select state before any crypto: key id →
 *   ERR_UNKNOWN_KEY, suite ids → ERR_SUITE_NOT_ALLOWED (or ERR_MALFORMED when
 *   another KEM changes the length of enc), timestamp → ERR_STALE (or
 *   ERR_DECRYPT inside the window, ERR_MALFORMED past 2^53), session id →
 *   ERR_SESSION_UNKNOWN, request counter → ERR_SESSION_LIMIT at or beyond
 *   maxMessages (else ERR_DECRYPT);
 * - a type byte that turns a message into another type fails as that type
 *   would (a stateless request read as a session request: an unknown session).
 */

const START = Date.UTC(2031, 4, 1, 12, 0, 0);
const SKEW = 30_000;
const MAX_MESSAGES = 1000;
const JSON_LIMIT = 1 << 20;
const ROUTE = { method: 'POST', target: '/api/transfer?from=1' };
const HANDSHAKE = { method: 'POST', target: '/.well-known/cipherlayer/session' };
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

type Kind =
  | 'stateless request'
  | 'stateless response'
  | 'handshake request'
  | 'handshake response'
  | 'session request'
  | 'session response';
const KINDS: readonly Kind[] = [
  'stateless request',
  'stateless response',
  'handshake request',
  'handshake response',
  'session request',
  'session response',
];

/** What the receiver did: accepted, a CipherlayerError code, or anything else (always a failure). */
type Outcome = ErrorCode | 'accepted' | `not a CipherlayerError: ${string}`;

async function outcome(fn: () => unknown): Promise<Outcome> {
  try {
    await fn();
    return 'accepted';
  } catch (error) {
    return error instanceof CipherlayerError ? error.code : `not a CipherlayerError: ${String(error)}`;
  }
}

/** A byte range of a message and the codes a change inside it may produce. */
interface Field {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  codes(mutated: Uint8Array, index: number): readonly ErrorCode[];
}

const always =
  (...codes: ErrorCode[]) =>
  (): readonly ErrorCode[] =>
    codes;

/** Content type bytes are visible ASCII: another visible character is authenticated, others unparseable. */
const printable = (mutated: Uint8Array, index: number): readonly ErrorCode[] => {
  const byte = mutated[index] as number;
  return byte >= 0x20 && byte <= 0x7e ? ['ERR_DECRYPT'] : ['ERR_MALFORMED'];
};

function u64At(bytes: Uint8Array, offset: number): { high: number; value: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const high = view.getUint32(offset);
  return { high, value: high * 2 ** 32 + view.getUint32(offset + 4) };
}

const timestampCodes =
  (offset: number) =>
  (mutated: Uint8Array): readonly ErrorCode[] => {
    const { high, value } = u64At(mutated, offset);
    if (high > 0x1fffff) return ['ERR_MALFORMED'];
    return Math.abs(START - value) > SKEW ? ['ERR_STALE'] : ['ERR_DECRYPT'];
  };

const requestCounterCodes =
  (offset: number) =>
  (mutated: Uint8Array): readonly ErrorCode[] => {
    const { high, value } = u64At(mutated, offset);
    if (high > 0x1fffff) return ['ERR_MALFORMED'];
    return value >= MAX_MESSAGES ? ['ERR_SESSION_LIMIT'] : ['ERR_DECRYPT'];
  };

const responseCounterCodes =
  (offset: number) =>
  (mutated: Uint8Array): readonly ErrorCode[] =>
    u64At(mutated, offset).high > 0x1fffff ? ['ERR_MALFORMED'] : ['ERR_DECRYPT'];

function fields(...spec: [string, number, number, Field['codes']][]): Field[] {
  return spec.map(([name, start, end, codes]) => ({ name, start, end, codes }));
}

// The layouts below are written from the spec, not read back with the parsers under test.

function requestFields(m: Uint8Array, nEnc: number, typeCodes: readonly ErrorCode[]): Field[] {
  const encStart = 34 + (m[33] as number);
  return fields(
    ['magic', 0, 1, always('ERR_MALFORMED')],
    ['type', 1, 2, always(...typeCodes)],
    ['key id', 2, 3, always('ERR_UNKNOWN_KEY')],
    ['kem id', 3, 5, always('ERR_SUITE_NOT_ALLOWED', 'ERR_MALFORMED')],
    ['kdf id', 5, 7, always('ERR_SUITE_NOT_ALLOWED')],
    ['aead id', 7, 9, always('ERR_SUITE_NOT_ALLOWED')],
    ['timestamp', 9, 17, timestampCodes(9)],
    ['request id', 17, 33, always('ERR_DECRYPT')],
    ['content type length', 33, 34, always('ERR_MALFORMED', 'ERR_DECRYPT')],
    ['content type', 34, encStart, printable],
    ['enc', encStart, encStart + nEnc, always('ERR_DECRYPT')],
    ['ciphertext', encStart + nEnc, m.length, always('ERR_DECRYPT')],
  );
}

function responseFields(m: Uint8Array, nonceLength: number): Field[] {
  const nonceStart = 3 + (m[2] as number);
  return fields(
    ['magic', 0, 1, always('ERR_MALFORMED')],
    ['type', 1, 2, always('ERR_MALFORMED')],
    ['content type length', 2, 3, always('ERR_MALFORMED', 'ERR_DECRYPT')],
    ['content type', 3, nonceStart, printable],
    ['response nonce', nonceStart, nonceStart + nonceLength, always('ERR_DECRYPT')],
    ['ciphertext', nonceStart + nonceLength, m.length, always('ERR_DECRYPT')],
  );
}

function sessionRequestFields(m: Uint8Array): Field[] {
  const ctStart = 27 + (m[26] as number);
  return fields(
    ['magic', 0, 1, always('ERR_MALFORMED')],
    // 0x05 -> 0x01: read as a stateless request, whose key id and suite come from the session id.
    [
      'type',
      1,
      2,
      always('ERR_MALFORMED', 'ERR_SUITE_NOT_ALLOWED', 'ERR_UNKNOWN_KEY', 'ERR_STALE', 'ERR_DECRYPT'),
    ],
    ['session id', 2, 18, always('ERR_SESSION_UNKNOWN')],
    ['counter', 18, 26, requestCounterCodes(18)],
    ['content type length', 26, 27, always('ERR_MALFORMED', 'ERR_DECRYPT')],
    ['content type', 27, ctStart, printable],
    ['ciphertext', ctStart, m.length, always('ERR_DECRYPT')],
  );
}

function sessionResponseFields(m: Uint8Array): Field[] {
  const ctStart = 11 + (m[10] as number);
  return fields(
    ['magic', 0, 1, always('ERR_MALFORMED')],
    ['type', 1, 2, always('ERR_MALFORMED')],
    ['counter', 2, 10, responseCounterCodes(2)],
    ['content type length', 10, 11, always('ERR_MALFORMED', 'ERR_DECRYPT')],
    ['content type', 11, ctStart, printable],
    ['ciphertext', ctStart, m.length, always('ERR_DECRYPT')],
  );
}

class ManualClock {
  constructor(public time = START) {}
  readonly now = (): number => this.time;
}

let bodies = 0;
function body() {
  const text = JSON.stringify({ to: 'DE89 3704 0044 0532 0130 00', amount: 125, n: bodies++ });
  return { contentType: 'application/json', body: utf8(text) };
}

async function fixture(backend: CryptoBackend, suite: Suite) {
  const clock = new ManualClock();
  const keys = new ServerKeySet([await run(backend, generateServerKey({ keyId: 7, suite }))]);
  const server = new ServerProtocol({
    backend,
    keys,
    clock: clock.now,
    maxSkewMs: SKEW,
    session: { maxMessages: MAX_MESSAGES },
  });
  const client = await ClientProtocol.create({
    backend,
    discovery: await server.discovery(),
    clock: clock.now,
  });
  const newSession = async () => {
    const hello = await client.startHandshake(HANDSHAKE);
    const accepted = await server.handshake(hello.message, HANDSHAKE);
    return await hello.finish(accepted.response, 200);
  };
  return { backend, suite, clock, keys, server, client, newSession };
}
type Fixture = Awaited<ReturnType<typeof fixture>>;

/** One message of one kind, the side that receives it, and its layout. */
interface Sample {
  readonly kind: Kind;
  readonly message: Uint8Array;
  receive(message: Uint8Array): unknown;
  readonly fields: readonly Field[];
  /** Where the AEAD ciphertext starts: a prefix shorter than this plus a tag does not parse. */
  readonly ciphertextStart: number;
}

const NONCE_LENGTH = 32; // max(Nn, Nk) for AES-256-GCM, the AEAD of both cl1 suites

async function sample(f: Fixture, kind: Kind): Promise<Sample> {
  const nEnc = f.suite.kem.nEnc;
  const make = (message: Uint8Array, receive: (m: Uint8Array) => unknown, layout: Field[]): Sample => ({
    kind,
    message,
    receive,
    fields: layout,
    ciphertextStart: layout.at(-1)!.start,
  });
  switch (kind) {
    case 'stateless request': {
      const { message } = await f.client.sealRequest(ROUTE, body());
      return make(
        message,
        (m) => f.server.openRequest(m, ROUTE),
        requestFields(message, nEnc, ['ERR_MALFORMED', 'ERR_SESSION_UNKNOWN']),
      );
    }
    case 'handshake request': {
      const { message } = await f.client.startHandshake(HANDSHAKE);
      return make(
        message,
        (m) => f.server.handshake(m, HANDSHAKE),
        requestFields(message, nEnc, ['ERR_MALFORMED']),
      );
    }
    case 'stateless response': {
      const sealed = await f.client.sealRequest(ROUTE, body());
      const opened = await f.server.openRequest(sealed.message, ROUTE);
      const message = await opened.sealResponse({ status: 200, ...body() });
      return make(message, (m) => sealed.openResponse(m, 200), responseFields(message, NONCE_LENGTH));
    }
    case 'handshake response': {
      const hello = await f.client.startHandshake(HANDSHAKE);
      const { response } = await f.server.handshake(hello.message, HANDSHAKE);
      return make(response, (m) => hello.finish(m, 200), responseFields(response, NONCE_LENGTH));
    }
    case 'session request': {
      const session = await f.newSession();
      const { message } = await session.sealRequest(ROUTE, body());
      return make(message, (m) => f.server.openRequest(m, ROUTE), sessionRequestFields(message));
    }
    case 'session response': {
      const session = await f.newSession();
      const sealed = await session.sealRequest(ROUTE, body());
      const opened = await f.server.openRequest(sealed.message, ROUTE);
      const message = await opened.sealResponse({ status: 200, ...body() });
      return make(message, (m) => sealed.openResponse(m, 200), sessionResponseFields(message));
    }
  }
}

function fieldAt(s: Sample, index: number): Field {
  const field = s.fields.find((f) => f.start <= index && index < f.end);
  if (field === undefined) throw new Error(`no field at ${index}`);
  return field;
}

/** Codes a changed message may produce: those of every field whose bytes differ. */
function expectedFor(s: Sample, mutated: Uint8Array): readonly ErrorCode[] {
  if (mutated.length !== s.message.length) {
    // Only reachable through the JSON text; the shift makes every later field move.
    return ['ERR_MALFORMED', 'ERR_DECRYPT'];
  }
  const codes = new Set<ErrorCode>();
  for (let i = 0; i < mutated.length; i++) {
    if (mutated[i] !== s.message[i]) for (const code of fieldAt(s, i).codes(mutated, i)) codes.add(code);
  }
  return [...codes];
}

interface Mismatch {
  readonly what: string;
  readonly expected: readonly string[];
  readonly got: Outcome;
}

/** Collects every case that was accepted or answered with an unexpected code. */
class Sweep {
  readonly mismatches: Mismatch[] = [];
  readonly seen = new Map<Outcome, number>();
  cases = 0;
  /** JSON mutations that decoded to the original bytes (the JSON form would then be malleable). */
  readonly equivalent: string[] = [];

  constructor(readonly sample: Sample) {}

  async binary(what: string, mutated: Uint8Array, expected = expectedFor(this.sample, mutated)) {
    this.cases++;
    const got = await outcome(() => this.sample.receive(mutated));
    this.seen.set(got, (this.seen.get(got) ?? 0) + 1);
    if (!(expected as readonly string[]).includes(got)) this.mismatches.push({ what, expected, got });
  }

  /** JSON text: decoding may refuse it (malformed, or an unknown KEM); otherwise the receiver must. */
  async json(what: string, text: string) {
    let decoded: Uint8Array;
    try {
      decoded = parseJsonMessage(text, JSON_LIMIT);
    } catch (error) {
      this.cases++;
      const got: Outcome =
        error instanceof CipherlayerError ? error.code : `not a CipherlayerError: ${String(error)}`;
      this.seen.set(got, (this.seen.get(got) ?? 0) + 1);
      if (got !== 'ERR_MALFORMED' && got !== 'ERR_SUITE_NOT_ALLOWED') {
        this.mismatches.push({
          what: `${what} (decoding)`,
          expected: ['ERR_MALFORMED', 'ERR_SUITE_NOT_ALLOWED'],
          got,
        });
      }
      return;
    }
    if (equalBytes(decoded, this.sample.message)) {
      this.equivalent.push(what);
      return;
    }
    await this.binary(what, decoded);
  }

  report() {
    return { cases: this.cases, mismatches: this.mismatches.slice(0, 20), equivalent: this.equivalent };
  }
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3] = (out[bit >> 3] as number) ^ (0x80 >> (bit & 7));
  return out;
}

/** Positions of the base64url value of each byte member in the JSON text. */
function byteMembers(text: string, json: JsonMessage): { name: string; start: number; end: number }[] {
  const out = [];
  for (const [name, value] of Object.entries(json)) {
    if (!['rid', 'enc', 'ct', 'sid', 'nonce'].includes(name)) continue;
    const start = text.indexOf(`"${name}":"`) + name.length + 4;
    expect(text.slice(start, start + (value as string).length)).toBe(value);
    out.push({ name, start, end: start + (value as string).length });
  }
  return out;
}

async function expectControl(s: Sample) {
  // The untouched message still opens: nothing above used it up or damaged the state.
  expect(await outcome(() => s.receive(s.message))).toBe('accepted');
}

function expectClean(sweep: Sweep, minimumCases: number) {
  expect(sweep.report()).toEqual({ cases: sweep.cases, mismatches: [], equivalent: [] });
  expect(sweep.cases).toBeGreaterThanOrEqual(minimumCases);
  expect(sweep.seen.has('accepted')).toBe(false);
}

const suites = [
  ['X25519', X25519_SHA256_AES256GCM],
  ['P-256', P256_SHA256_AES256GCM],
] as const;
const matrix = backends.flatMap(([backendName, backend]) =>
  suites.map(([suiteName, suite]) => [`${backendName}, ${suiteName}`, backend, suite] as const),
);

describe.each(matrix)('tampering with binary messages (%s)', (_name, backend, suite) => {
  describe.each(KINDS)('%s', (kind) => {
    it('every single-bit flip of the binary message is rejected with its documented code', async () => {
      const s = await sample(await fixture(backend, suite), kind);
      // The layout covers the message exactly.
      expect(s.fields[0]!.start).toBe(0);
      for (let i = 1; i < s.fields.length; i++) expect(s.fields[i]!.start).toBe(s.fields[i - 1]!.end);
      expect(s.fields.at(-1)!.end).toBe(s.message.length);
      expect(s.message.length - s.ciphertextStart).toBeGreaterThanOrEqual(16);

      const sweep = new Sweep(s);
      const bits = s.message.length * 8;
      for (let bit = 0; bit < bits; bit++) {
        const mutated = flipBit(s.message, bit);
        await sweep.binary(`bit ${bit} (${fieldAt(s, bit >> 3).name})`, mutated);
      }
      expectClean(sweep, bits);
      await expectControl(s);
    });

    it('truncation at every length, and extension by a byte and by a block, are rejected', async () => {
      const s = await sample(await fixture(backend, suite), kind);
      const sweep = new Sweep(s);
      for (let length = 0; length < s.message.length; length++) {
        const parses = length >= s.ciphertextStart + 16;
        await sweep.binary(`first ${length} bytes`, s.message.slice(0, length), [
          parses ? 'ERR_DECRYPT' : 'ERR_MALFORMED',
        ]);
      }
      for (const tail of [
        Uint8Array.of(0),
        Uint8Array.of(0xff),
        new Uint8Array(16),
        backend.randomBytes(16),
      ]) {
        await sweep.binary(`extended by ${tail.length}`, concat(s.message, tail), ['ERR_DECRYPT']);
      }
      expectClean(sweep, s.message.length + 4);
      await expectControl(s);
    });
  });
});

/**
 * JSON decoding is the same code whatever the backend; the receiver's
 * cryptography under each backend is what the binary sweep above covers.
 */
describe.each(suites)('tampering with JSON messages (node:crypto, %s)', (_name, suite) => {
  const backend = backends[0]![1];
  describe.each(KINDS)('%s', (kind) => {
    it('JSON: every bit of every decoded field, every number bit and every other tag is rejected', async () => {
      const s = await sample(await fixture(backend, suite), kind);
      const json = toJsonMessage(s.message) as unknown as Record<string, unknown>;
      const sweep = new Sweep(s);
      let fieldBits = 0;
      const send = (what: string, changes: Record<string, unknown>) =>
        sweep.json(what, JSON.stringify({ ...json, ...changes }));
      for (const [name, value] of Object.entries(json)) {
        if (name === 'cl1') {
          for (const tag of [
            'request',
            'handshake',
            'response',
            'handshake-response',
            'session',
            'session-response',
          ]) {
            if (tag !== value) await send(`cl1 = ${tag}`, { cl1: tag });
          }
        } else if (name === 'cty') {
          const cty = value as string;
          for (let i = 0; i < cty.length; i++) {
            for (let b = 0; b < 8; b++) {
              const changed =
                cty.slice(0, i) + String.fromCharCode(cty.charCodeAt(i) ^ (1 << b)) + cty.slice(i + 1);
              await send(`cty[${i}] bit ${b}`, { cty: changed });
            }
          }
          await send('cty one character longer', { cty: `${cty};` });
        } else if (typeof value === 'number') {
          const width = name === 'kid' ? 8 : name === 'ts' || name === 'n' ? 64 : 16;
          for (let b = 0; b < width; b++) {
            await send(`${name} bit ${b}`, { [name]: Number(BigInt(value) ^ (1n << BigInt(b))) });
          }
        } else {
          const bytes = fromBase64Url(value as string);
          fieldBits += bytes.length * 8;
          for (let bit = 0; bit < bytes.length * 8; bit++) {
            await send(`${name} bit ${bit}`, { [name]: toBase64Url(flipBit(bytes, bit)) });
          }
          await send(`${name} one byte longer`, { [name]: toBase64Url(concat(bytes, Uint8Array.of(0))) });
          await send(`${name} one byte shorter`, { [name]: toBase64Url(bytes.subarray(0, -1)) });
        }
      }
      // Every byte string of the message was swept.
      const byteFields = ['request id', 'enc', 'response nonce', 'session id', 'ciphertext'];
      const expectedBits = s.fields
        .filter((f) => byteFields.includes(f.name))
        .reduce((sum, f) => sum + (f.end - f.start) * 8, 0);
      expect(fieldBits).toBe(expectedBits);
      expectClean(sweep, fieldBits);
      await expectControl(s);
    });

    it('JSON text: every base64url character changed in each of its 6 bits, every bit of every character, every prefix', async () => {
      const s = await sample(await fixture(backend, suite), kind);
      const json = toJsonMessage(s.message);
      const text = JSON.stringify(json);
      const sweep = new Sweep(s);
      let sextets = 0;
      for (const member of byteMembers(text, json)) {
        for (let i = member.start; i < member.end; i++) {
          const value = B64URL.indexOf(text[i]!);
          for (let b = 0; b < 6; b++) {
            sextets++;
            await sweep.json(
              `${member.name} character ${i - member.start} sextet bit ${b}`,
              text.slice(0, i) + B64URL[value ^ (1 << b)]! + text.slice(i + 1),
            );
          }
        }
      }
      expect(sextets).toBeGreaterThan(0);
      for (let i = 0; i < text.length; i++) {
        for (let b = 0; b < 8; b++) {
          const changed =
            text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (1 << b)) + text.slice(i + 1);
          await sweep.json(`text[${i}] ${JSON.stringify(text[i])} bit ${b}`, changed);
        }
      }
      for (let length = 0; length < text.length; length++) {
        await sweep.json(`first ${length} characters`, text.slice(0, length));
      }
      expectClean(sweep, sextets + text.length * 9);
      await expectControl(s);
    });
  });
});

function range(layout: readonly Field[], name: string): [number, number] {
  const field = layout.find((f) => f.name === name);
  if (field === undefined) throw new Error(`no field ${name}`);
  return [field.start, field.end];
}

/** `message` with the bytes of two equally long ranges exchanged. */
function swapped(message: Uint8Array, [a, aEnd]: [number, number], [b, bEnd]: [number, number]) {
  expect(aEnd - a).toBe(bEnd - b);
  const out = message.slice();
  out.set(message.subarray(b, bEnd), a);
  out.set(message.subarray(a, aEnd), b);
  return out;
}

/** `message` with the range `[start, end)` taken from `donor`. */
function transplanted(message: Uint8Array, donor: Uint8Array, [start, end]: [number, number]) {
  const out = message.slice();
  out.set(donor.subarray(start, end), start);
  expect(out).not.toEqual(message);
  return out;
}

describe.each(matrix)('moved, swapped and misdirected messages (%s)', (_name, backend, suite) => {
  const nEnc = suite.kem.nEnc;
  const requestLayout = (m: Uint8Array) => requestFields(m, nEnc, []);

  it('a request moved to another route (path, query, method) does not open', async () => {
    const f = await fixture(backend, suite);
    const stateless = await f.client.sealRequest(ROUTE, body());
    const inSession = await (await f.newSession()).sealRequest(ROUTE, body());
    const hello = await f.client.startHandshake(HANDSHAKE);
    const elsewhere = [
      { method: 'POST', target: '/api/transfer?from=2' },
      { method: 'POST', target: '/api/transfer' },
      { method: 'POST', target: '/api/transfer?' },
      { method: 'POST', target: '/api/transfer?from=1&to=2' },
      { method: 'POST', target: '/api/transfer?from=1#x' },
      { method: 'POST', target: '/api/accounts?from=1' },
      { method: 'POST', target: '/api/transfer/?from=1' },
      { method: 'POST', target: '/API/transfer?from=1' },
      { method: 'POST', target: '*' },
      { method: 'PUT', target: ROUTE.target },
      { method: 'GET', target: ROUTE.target },
      { method: 'POSTS', target: ROUTE.target },
      { method: 'POST', target: HANDSHAKE.target },
    ];
    for (const binding of elsewhere) {
      const where = `${binding.method} ${binding.target}`;
      expect(await outcome(() => f.server.openRequest(stateless.message, binding)), where).toBe(
        'ERR_DECRYPT',
      );
      expect(await outcome(() => f.server.openRequest(inSession.message, binding)), where).toBe(
        'ERR_DECRYPT',
      );
      if (binding.target !== HANDSHAKE.target) {
        expect(await outcome(() => f.server.handshake(hello.message, binding)), where).toBe('ERR_DECRYPT');
      }
    }
    expect(await outcome(() => f.server.handshake(hello.message, ROUTE))).toBe('ERR_DECRYPT');
    // On the route they were sealed for, all three still open.
    expect(await outcome(() => f.server.openRequest(stateless.message, ROUTE))).toBe('accepted');
    expect(await outcome(() => f.server.openRequest(inSession.message, ROUTE))).toBe('accepted');
    expect(await outcome(() => f.server.handshake(hello.message, HANDSHAKE))).toBe('accepted');
  });

  it('fields swapped inside a message (enc and ciphertext, request id and enc, nonce and ciphertext) fail', async () => {
    const f = await fixture(backend, suite);
    for (const kind of ['stateless request', 'handshake request'] as const) {
      const s = await sample(f, kind);
      const [encStart, encEnd] = range(s.fields, 'enc');
      const [ctStart] = range(s.fields, 'ciphertext');
      const [ridStart] = range(s.fields, 'request id');
      const cases = [
        swapped(s.message, [encStart, encEnd], [ctStart, ctStart + nEnc]),
        swapped(s.message, [ridStart, ridStart + 16], [encStart, encStart + 16]),
        swapped(s.message, [encStart, encStart + 16], [encEnd - 16, encEnd]),
        swapped(s.message, [ctStart, ctStart + 16], [s.message.length - 16, s.message.length]),
      ];
      for (const [i, mutated] of cases.entries()) {
        expect(await outcome(() => s.receive(mutated)), `${kind} case ${i}`).toBe('ERR_DECRYPT');
      }
      await expectControl(s);
    }
    for (const kind of ['stateless response', 'handshake response'] as const) {
      const s = await sample(f, kind);
      const [nonceStart, nonceEnd] = range(s.fields, 'response nonce');
      const [ctStart] = range(s.fields, 'ciphertext');
      const cases = [
        swapped(s.message, [nonceStart, nonceEnd], [ctStart, ctStart + NONCE_LENGTH]),
        swapped(s.message, [ctStart, ctStart + 16], [s.message.length - 16, s.message.length]),
      ];
      for (const [i, mutated] of cases.entries()) {
        expect(await outcome(() => s.receive(mutated)), `${kind} case ${i}`).toBe('ERR_DECRYPT');
      }
      await expectControl(s);
    }
  });

  it('a field taken from another request (enc, request id, timestamp, header) fails', async () => {
    const f = await fixture(backend, suite);
    const a = (await f.client.sealRequest(ROUTE, body())).message;
    f.clock.time += 1;
    const b = (await f.client.sealRequest(ROUTE, body())).message;
    const layout = requestLayout(a);
    expect(requestLayout(b).map((x) => [x.start, x.end])).toEqual(layout.map((x) => [x.start, x.end]));
    for (const name of ['enc', 'request id', 'timestamp']) {
      for (const [target, donor] of [
        [a, b],
        [b, a],
      ] as const) {
        const mutated = transplanted(target, donor, range(layout, name));
        expect(await outcome(() => f.server.openRequest(mutated, ROUTE)), name).toBe('ERR_DECRYPT');
      }
    }
    const header = range(layout, 'content type');
    const mixed = transplanted(a, b, [0, header[1]]);
    expect(await outcome(() => f.server.openRequest(mixed, ROUTE))).toBe('ERR_DECRYPT');
    expect(await outcome(() => f.server.openRequest(a, ROUTE))).toBe('accepted');
    expect(await outcome(() => f.server.openRequest(b, ROUTE))).toBe('accepted');
  });

  it('a session request presented in another session, or with another counter, fails', async () => {
    const f = await fixture(backend, suite);
    const one = await f.newSession();
    const two = await f.newSession();
    const first = (await one.sealRequest(ROUTE, body())).message;
    const second = (await one.sealRequest(ROUTE, body())).message;
    const other = (await two.sealRequest(ROUTE, body())).message;
    const layout = sessionRequestFields(first);
    const sid = range(layout, 'session id');
    const counter = range(layout, 'counter');
    const cases: [string, Uint8Array][] = [
      ['first in session two', transplanted(first, other, sid)],
      ['other in session one', transplanted(other, first, sid)],
      ['first with counter 1', transplanted(first, second, counter)],
      ['second with counter 0', transplanted(second, first, counter)],
      ['second with the header of first', transplanted(second, first, [0, layout.at(-1)!.start])],
    ];
    for (const [what, mutated] of cases) {
      expect(await outcome(() => f.server.openRequest(mutated, ROUTE)), what).toBe('ERR_DECRYPT');
    }
    for (const message of [first, second, other]) {
      expect(await outcome(() => f.server.openRequest(message, ROUTE))).toBe('accepted');
    }
  });

  it('a response opened for a different request fails', async () => {
    const f = await fixture(backend, suite);
    const reply = { status: 200, contentType: 'application/json', body: utf8('{"ok":true}') };
    // Stateless.
    const a = await f.client.sealRequest(ROUTE, body());
    const b = await f.client.sealRequest(ROUTE, body());
    const ra = await (await f.server.openRequest(a.message, ROUTE)).sealResponse(reply);
    const rb = await (await f.server.openRequest(b.message, ROUTE)).sealResponse(reply);
    // Sessions.
    const one = await f.newSession();
    const two = await f.newSession();
    const c0 = await one.sealRequest(ROUTE, body());
    const c1 = await one.sealRequest(ROUTE, body());
    const d0 = await two.sealRequest(ROUTE, body());
    const r0 = await (await f.server.openRequest(c0.message, ROUTE)).sealResponse(reply);
    const r1 = await (await f.server.openRequest(c1.message, ROUTE)).sealResponse(reply);
    const s0 = await (await f.server.openRequest(d0.message, ROUTE)).sealResponse(reply);
    // Handshakes.
    const hello1 = await f.client.startHandshake(HANDSHAKE);
    const hello2 = await f.client.startHandshake(HANDSHAKE);
    const h1 = (await f.server.handshake(hello1.message, HANDSHAKE)).response;
    const h2 = (await f.server.handshake(hello2.message, HANDSHAKE)).response;
    const counter = range(sessionResponseFields(r0), 'counter');
    const asHandshake = ra.slice();
    asHandshake[1] = 0x04;

    const cases: [string, () => unknown, ErrorCode][] = [
      ['response of a opened by b', () => b.openResponse(ra, 200), 'ERR_DECRYPT'],
      ['response of b opened by a', () => a.openResponse(rb, 200), 'ERR_DECRYPT'],
      ['response 0 opened by request 1', () => c1.openResponse(r0, 200), 'ERR_DECRYPT'],
      ['response 1 opened by request 0', () => c0.openResponse(r1, 200), 'ERR_DECRYPT'],
      ['response 0 relabelled 1', () => c1.openResponse(transplanted(r0, r1, counter), 200), 'ERR_DECRYPT'],
      ['response 0 of session two in session one', () => c0.openResponse(s0, 200), 'ERR_DECRYPT'],
      ['handshake 1 finished with response 2', () => hello1.finish(h2, 200), 'ERR_DECRYPT'],
      ['handshake 2 finished with response 1', () => hello2.finish(h1, 200), 'ERR_DECRYPT'],
      ['a stateless response relabelled as handshake', () => hello1.finish(asHandshake, 200), 'ERR_DECRYPT'],
      // Another kind of response altogether does not even parse as the expected one.
      ['a session response to a stateless request', () => a.openResponse(r0, 200), 'ERR_MALFORMED'],
      ['a stateless response to a session request', () => c0.openResponse(ra, 200), 'ERR_MALFORMED'],
      ['a handshake response to a stateless request', () => a.openResponse(h1, 200), 'ERR_MALFORMED'],
      ['a stateless response to a handshake', () => hello1.finish(ra, 200), 'ERR_MALFORMED'],
      ['a relabelled response to its own request', () => a.openResponse(asHandshake, 200), 'ERR_MALFORMED'],
    ];
    for (const [what, open, code] of cases) expect(await outcome(open), what).toBe(code);
    // Each response still opens for its own request.
    const controls: [string, () => unknown][] = [
      ['a', () => a.openResponse(ra, 200)],
      ['b', () => b.openResponse(rb, 200)],
      ['c0', () => c0.openResponse(r0, 200)],
      ['c1', () => c1.openResponse(r1, 200)],
      ['d0', () => d0.openResponse(s0, 200)],
      ['hello1', () => hello1.finish(h1, 200)],
      ['hello2', () => hello2.finish(h2, 200)],
    ];
    for (const [what, open] of controls) expect(await outcome(open), what).toBe('accepted');
  });

  it('a response presented with another HTTP status fails', async () => {
    const f = await fixture(backend, suite);
    const stateless = await f.client.sealRequest(ROUTE, body());
    const notFound = { status: 404, contentType: 'application/json', body: utf8('{"error":"no"}') };
    const response = await (await f.server.openRequest(stateless.message, ROUTE)).sealResponse(notFound);
    const inSession = await (await f.newSession()).sealRequest(ROUTE, body());
    const sessionResponse = await (await f.server.openRequest(inSession.message, ROUTE)).sealResponse(
      notFound,
    );
    const hello = await f.client.startHandshake(HANDSHAKE);
    const handshake = (await f.server.handshake(hello.message, HANDSHAKE)).response;
    for (const status of [200, 201, 204, 400, 403, 405, 500, 0x194 + 0x100]) {
      expect(await outcome(() => stateless.openResponse(response, status)), `${status}`).toBe('ERR_DECRYPT');
      expect(await outcome(() => inSession.openResponse(sessionResponse, status)), `${status}`).toBe(
        'ERR_DECRYPT',
      );
    }
    for (const status of [201, 204, 404, 500]) {
      expect(await outcome(() => hello.finish(handshake, status)), `${status}`).toBe('ERR_DECRYPT');
    }
    // Not a status at all.
    for (const status of [0, 99, 1000, 200.5]) {
      expect(await outcome(() => stateless.openResponse(response, status))).toBe('ERR_MALFORMED');
    }
    expect(await outcome(() => stateless.openResponse(response, 404))).toBe('accepted');
    expect(await outcome(() => inSession.openResponse(sessionResponse, 404))).toBe('accepted');
    expect(await outcome(() => hello.finish(handshake, 200))).toBe('accepted');
  });
});
