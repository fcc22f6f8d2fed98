/**
 * RFC 9180 (HPKE) and RFC 9458 (OHTTP) vectors on the Web Crypto backend, in
 * the page. Each vector reports pass/fail and its first mismatch as JSON.
 */
import { webCryptoBackend } from '../../src/backends/webcrypto.js';
import { setupBaseRecipient, setupBaseSender } from '../../src/hpke/context.js';
import { deriveKeyPair, deriveSecretKey } from '../../src/hpke/kem.js';
import { hpkeSuite } from '../../src/hpke/suites.js';
import { fromHex, toHex } from '../../src/lib/bytes.js';
import { isCipherlayerError } from '../../src/lib/errors.js';
import { call, type Flow, runFlow } from '../../src/lib/flow.js';
import { decodeKeyConfig, encodeKeyConfig } from '../../src/ohttp/key-config.js';
import {
  decapsulateOhttpRequest,
  decapsulateOhttpResponse,
  encapsulateOhttpRequest,
  encapsulateOhttpResponse,
  ohttpRequestHeader,
} from '../../src/ohttp/messages.js';
import type { HpkeVector } from '../helpers/rfc9180.js';

const web = <T>(flow: Flow<T>): Promise<T> => Promise.resolve(runFlow(webCryptoBackend, flow));

export interface Mismatch {
  check: string;
  expected: string;
  actual: string;
}

export interface VectorReport {
  name: string;
  passed: boolean;
  /** Comparisons made before the first mismatch (all of them when passed). */
  checks: number;
  mismatch?: Mismatch;
  /** An exception other than a mismatch, with its cause chain. */
  error?: string;
}

class MismatchError extends Error {
  constructor(readonly mismatch: Mismatch) {
    super(`${mismatch.check}: expected ${mismatch.expected}, got ${mismatch.actual}`);
  }
}

/** Counts comparisons and stops at the first mismatch. */
class Checks {
  count = 0;

  equal(check: string, expected: unknown, actual: unknown): void {
    const e = typeof expected === 'string' ? expected : JSON.stringify(expected);
    const a = typeof actual === 'string' ? actual : JSON.stringify(actual);
    if (e !== a) throw new MismatchError({ check, expected: e, actual: a });
    this.count++;
  }

  hex(check: string, expected: string | Uint8Array, actual: Uint8Array): void {
    this.equal(check, typeof expected === 'string' ? expected : toHex(expected), toHex(actual));
  }

  async rejects(check: string, attempt: () => Promise<unknown>): Promise<void> {
    let outcome = 'resolved';
    try {
      await attempt();
    } catch (error) {
      outcome = isCipherlayerError(error) ? 'CipherlayerError' : describeError(error);
    }
    this.equal(check, 'CipherlayerError', outcome);
  }
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 4; ) {
    if (e instanceof Error) {
      parts.push(`${e.name}${isCipherlayerError(e) ? ` ${e.code}` : ''}: ${e.message}`);
      e = e.cause;
    } else {
      parts.push(String(e));
      e = undefined;
    }
  }
  return parts.join(' <- ');
}

async function runVector(name: string, body: (checks: Checks) => Promise<void>): Promise<VectorReport> {
  const checks = new Checks();
  try {
    await body(checks);
    return { name, passed: true, checks: checks.count };
  } catch (error) {
    if (error instanceof MismatchError)
      return { name, passed: false, checks: checks.count, mismatch: error.mismatch };
    return { name, passed: false, checks: checks.count, error: describeError(error) };
  }
}

/** RFC 9180 appendix A, base mode: key derivation, enc, every encryption and export. */
async function hpkeVector(v: HpkeVector, checks: Checks): Promise<void> {
  checks.equal('mode', 0, v.mode);
  const suite = hpkeSuite(v.kemId, v.kdfId, v.aeadId);
  const f = v.fields;
  const field = (name: string): string => {
    const value = f[name];
    if (value === undefined) throw new Error(`vector has no ${name}`);
    return value;
  };
  const info = fromHex(field('info'));
  const ikmE = fromHex(field('ikmE'));

  checks.hex('skEm', field('skEm'), await web(deriveSecretKey(suite.kem, suite.kemSuiteId, ikmE)));
  const recipient = await web(deriveKeyPair(suite.kem, suite.kemSuiteId, fromHex(field('ikmR'))));
  checks.hex('pkRm', field('pkRm'), recipient.publicKey);
  const ephemeral = await web(deriveKeyPair(suite.kem, suite.kemSuiteId, ikmE));
  checks.hex('pkEm', field('pkEm'), ephemeral.publicKey);

  const { enc, context: sender } = await web(setupBaseSender(suite, recipient.publicKey, info, ephemeral));
  checks.hex('enc', field('enc'), enc);
  const receiver = await web(setupBaseRecipient(suite, enc, recipient, info));

  // Sequence numbers the appendix skips are still used, so that later nonces line up.
  const last = v.encryptions.at(-1)?.sequence ?? -1;
  const bySequence = new Map(v.encryptions.map((e) => [e.sequence, e]));
  for (let seq = 0; seq <= last; seq++) {
    const e = bySequence.get(seq);
    const aad = e ? fromHex(e.aad) : new Uint8Array(0);
    const pt = e ? fromHex(e.pt) : new Uint8Array(1);
    const ct = await web(sender.seal(aad, pt));
    if (e) checks.hex(`ct[${seq}]`, e.ct, ct);
    checks.hex(`open(ct[${seq}])`, pt, await web(receiver.open(aad, ct)));
  }
  for (const [i, x] of v.exports.entries()) {
    const context = fromHex(x.context);
    checks.hex(`sender export[${i}]`, x.value, await web(sender.export(context, x.length)));
    checks.hex(`receiver export[${i}]`, x.value, await web(receiver.export(context, x.length)));
  }
}

export function runHpkeVectors(vectors: HpkeVector[]): Promise<VectorReport[]> {
  return Promise.all(vectors.map((v) => runVector(v.title, (checks) => hpkeVector(v, checks))));
}

/** One vector of RFC 9458 appendix A (the shape of ../shared/vectors/ohttp/rfc9458.json). */
export interface Rfc9458Vector {
  keyConfig: string;
  privateKey: string;
  publicKey: string;
  keyId: number;
  kemId: number;
  kdfId: number;
  aeadId: number;
  symmetricAlgorithms: { kdfId: number; aeadId: number }[];
  request: string;
  response: string;
  clientEphemeralPrivate: string;
  responseNonce: string;
}

/** RFC 9458 appendix A: the key config byte for byte, then a request and response round trip. */
async function ohttpVector(v: Rfc9458Vector, checks: Checks): Promise<void> {
  const suite = hpkeSuite(v.kemId, v.kdfId, v.aeadId);
  const importKey = (hex: string) => web(call((b) => b.importDhPrivateKey(suite.kem.curve, fromHex(hex))));
  const server = await importKey(v.privateKey);
  checks.hex('publicKey', v.publicKey, server.publicKey);
  const config = {
    keyId: v.keyId,
    kemId: v.kemId,
    publicKey: server.publicKey,
    algorithms: v.symmetricAlgorithms,
  };
  checks.hex('keyConfig', v.keyConfig, encodeKeyConfig(config));
  const decoded = decodeKeyConfig(fromHex(v.keyConfig));
  checks.equal('decoded keyId', v.keyId, decoded.keyId);
  checks.equal('decoded algorithms', v.symmetricAlgorithms, decoded.algorithms);

  const ephemeral = await importKey(v.clientEphemeralPrivate);
  const client = await web(
    encapsulateOhttpRequest({
      keyId: v.keyId,
      suite,
      publicKey: server.publicKey,
      request: fromHex(v.request),
      ephemeral,
    }),
  );
  const header = ohttpRequestHeader(v.keyId, suite);
  checks.hex('request header', header, client.encapsulated.subarray(0, header.length));
  checks.hex(
    'request enc',
    ephemeral.publicKey,
    client.encapsulated.subarray(header.length, header.length + suite.kem.nEnc),
  );
  checks.equal(
    'encapsulated request length',
    header.length + suite.kem.nEnc + v.request.length / 2 + suite.aead.nt,
    client.encapsulated.length,
  );
  const gateway = await web(decapsulateOhttpRequest(client.encapsulated, () => server));
  checks.hex('decapsulated request', v.request, gateway.request);

  // The vector's 12-byte response nonce is shorter than max(Nn, Nk) = 16 (RFC 9458 section 4.4): refused.
  const response = fromHex(v.response);
  await checks.rejects('12-byte response nonce', () =>
    web(
      encapsulateOhttpResponse({
        context: gateway.context,
        enc: gateway.enc,
        response,
        responseNonce: fromHex(v.responseNonce),
      }),
    ),
  );
  const responseNonce = fromHex(v.responseNonce.padEnd(32, '0'));
  const encapsulated = await web(
    encapsulateOhttpResponse({ context: gateway.context, enc: gateway.enc, response, responseNonce }),
  );
  checks.hex('response nonce', responseNonce, encapsulated.subarray(0, responseNonce.length));
  const opened = await web(
    decapsulateOhttpResponse({ context: client.context, enc: client.enc, encapsulated }),
  );
  checks.hex('decapsulated response', v.response, opened);
}

export function runOhttpVectors(vectors: Rfc9458Vector[]): Promise<VectorReport[]> {
  return Promise.all(
    vectors.map((v) => runVector(`RFC 9458 key ${v.keyId}`, (checks) => ohttpVector(v, checks))),
  );
}
