import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeBinding, requestAad, responseAad } from '../src/cl1/binding.js';
import { ClientProtocol } from '../src/cl1/client.js';
import { finishHandshake, HANDSHAKE_STATUS } from '../src/cl1/handshake.js';
import { fromJsonMessage, toJsonMessage } from '../src/cl1/json.js';
import { labels } from '../src/cl1/labels.js';
import {
  encodeRequestHeader,
  encodeResponseHeader,
  encodeSessionRequestHeader,
  encodeSessionResponseHeader,
  MessageType,
  parseEncapsulatedRequest,
  parseSessionRequest,
  parseSessionResponse,
} from '../src/cl1/messages.js';
import { ReplayWindow } from '../src/cl1/replay-window.js';
import { ServerProtocol } from '../src/cl1/server.js';
import {
  openSessionRequest,
  openSessionResponse,
  sealSessionRequest,
  sealSessionResponse,
} from '../src/cl1/session.js';
import { deriveSessionKeys, importSessionKeys, type SessionKeyMaterial } from '../src/cl1/session-keys.js';
import {
  openEncapsulatedRequest,
  openEncapsulatedResponse,
  type PendingResponse,
} from '../src/cl1/stateless.js';
import { type HpkeContext, setupBaseSender } from '../src/hpke/context.js';
import { expand, extract, labeledExpand, labeledExtract } from '../src/hpke/kdf.js';
import { deriveSecretKey, encap, importPrivateKey } from '../src/hpke/kem.js';
import { hpkeSuite, P256_SHA256_AES256GCM, type Suite, X25519_SHA256_AES256GCM } from '../src/hpke/suites.js';
import { importServerKeySet, type ServerKeySet } from '../src/keys/key-set.js';
import { publicKeyPin, subjectPublicKeyInfo } from '../src/keys/pin.js';
import { readDiscoveryKeys, selectServerKey } from '../src/keys/select.js';
import type { DhKeyPair } from '../src/lib/backend.js';
import { concat, counterNonce, fromBase64Url, fromHex, toHex, utf8 } from '../src/lib/bytes.js';
import { errorRegistry, isCipherlayerError } from '../src/lib/errors.js';
import { call, type Flow } from '../src/lib/flow.js';
import { ByteWriter } from '../src/lib/reader.js';
import { requestInfo, responseKeyMaterial } from '../src/ohttp/encapsulation.js';
import { decodeKeyConfig, decodeKeyConfigList, encodeKeyConfig } from '../src/ohttp/key-config.js';
import { generateVectors, VECTOR_DIR } from '../src/scripts/generate-vectors.js';
import { constantRandomness, scriptedBackend } from '../src/scripts/vectors/scripted-backend.js';
import type {
  BindingVector,
  HandshakeVector,
  KeysVector,
  NegativeVector,
  ReplayWindowVector,
  RequestSection,
  ResponseSection,
  SessionVector,
  StatelessVector,
  StatusVector,
  SuiteIds,
  VectorFile,
} from '../src/scripts/vectors/types.js';
import { MemorySessionStore } from '../src/state/session-store.js';
import { backends, run } from './helpers/backends.js';
import { repoRoot } from './helpers/shared.js';

/**
 * The vectors in spec/vectors, checked from the recorded values alone: each
 * value re-derived from its recorded inputs, each message opened by the side
 * that receives it, each negative vector refused with its code. Last, the
 * files must be exactly what the generator writes today, on both backends.
 */
const directory = join(repoRoot, VECTOR_DIR);
const read = <T>(name: string): T => JSON.parse(readFileSync(join(directory, name), 'utf8')) as T;

const keysVector = read<VectorFile<KeysVector>>('keys.json').vectors[0] as KeysVector;
const bindingFile = read<VectorFile<BindingVector> & { statuses: StatusVector[] }>('binding.json');
const stateless = read<VectorFile<StatelessVector>>('stateless.json').vectors;
const handshakes = read<VectorFile<HandshakeVector>>('handshake.json').vectors;
const sessions = read<VectorFile<SessionVector>>('session.json').vectors;
const windows = read<VectorFile<ReplayWindowVector>>('replay-window.json').vectors;
const negativeFile = read<VectorFile<NegativeVector> & { errors: unknown }>('negative.json');

const hex = (bytes: Uint8Array) => toHex(bytes);
const suiteOf = (ids: SuiteIds): Suite => hpkeSuite(ids.kem, ids.kdf, ids.aead);
const suitesByName = { X25519: X25519_SHA256_AES256GCM, 'P-256': P256_SHA256_AES256GCM } as const;
const named = <T extends { name: string }>(list: readonly T[]) => list.map((v) => [v.name, v] as const);
const draw = (draws: readonly { purpose: string; value: string }[], purpose: string) =>
  fromHex(draws.find((d) => d.purpose === purpose)?.value ?? '');

function byName<T extends { name: string }>(list: readonly T[], name: string): T {
  const found = list.find((v) => v.name === name);
  if (found === undefined) throw new Error(`no vector ${name}`);
  return found;
}

function material(vector: SessionVector): SessionKeyMaterial {
  return {
    sessionId: fromHex(vector.sessionId),
    suite: suiteOf(vector.suite),
    c2sKey: fromHex(vector.keys.c2sKey),
    c2sIv: fromHex(vector.keys.c2sIv),
    s2cKey: fromHex(vector.keys.s2cKey),
    s2cIv: fromHex(vector.keys.s2cIv),
  };
}

function* seal(
  suite: Suite,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  pt: Uint8Array,
): Flow<Uint8Array> {
  const handle = yield* call((b) => b.importAeadKey(suite.aead.algorithm ?? 'AES-256-GCM', key));
  return yield* call((b) => b.seal(handle, nonce, aad, pt));
}

describe.each(backends)('spec vectors on %s', (_name, backend) => {
  const keySet = (): Promise<ServerKeySet> => run(backend, importServerKeySet(keysVector.privateKeySet));

  /** Everything in a request section, from its inputs; returns the client's HPKE context. */
  async function checkRequest(
    suite: Suite,
    serverPublicKey: string,
    type: typeof MessageType.Request | typeof MessageType.HandshakeRequest,
    r: RequestSection,
  ): Promise<{ context: HpkeContext; ephemeral: DhKeyPair }> {
    const { kem, kdf, aead } = suite;
    const header = encodeRequestHeader({
      type,
      keyId: r.keyId,
      kemId: kem.id,
      kdfId: kdf.id,
      aeadId: aead.id,
      timestamp: r.timestamp,
      requestId: fromHex(r.requestId),
      contentType: r.contentType,
    });
    expect(hex(header)).toBe(r.header);
    expect(hex(encodeBinding(r.binding))).toBe(r.bindingBytes);
    const h = r.hpke;
    expect(h.suiteId).toBe(hex(suite.id));
    expect(h.kemSuiteId).toBe(hex(suite.kemSuiteId));
    expect(h.recipientPublicKey).toBe(serverPublicKey);
    const secret = await run(backend, deriveSecretKey(kem, suite.kemSuiteId, fromHex(h.ephemeralIkm)));
    expect(hex(secret)).toBe(h.ephemeralPrivateKey);
    const ephemeral = await run(backend, importPrivateKey(kem, secret));
    expect(hex(ephemeral.publicKey)).toBe(h.enc);
    const pkR = fromHex(serverPublicKey);
    expect(
      hex(
        await run(
          backend,
          call((b) => b.dh(kem.curve, ephemeral.privateKey, pkR)),
        ),
      ),
    ).toBe(h.dh);
    expect(h.kemContext).toBe(h.enc + serverPublicKey);
    const empty = new Uint8Array(0);
    const eaePrk = await run(
      backend,
      labeledExtract(kem.hash, suite.kemSuiteId, empty, utf8('eae_prk'), fromHex(h.dh)),
    );
    expect(hex(eaePrk)).toBe(h.eaePrk);
    const encapsulation = await run(backend, encap(suite, pkR, ephemeral));
    expect(hex(encapsulation.sharedSecret)).toBe(h.sharedSecret);
    const info = requestInfo(utf8(h.label), header);
    expect(hex(info)).toBe(h.info);
    const pskIdHash = await run(
      backend,
      labeledExtract(kdf.hash, suite.id, empty, utf8('psk_id_hash'), empty),
    );
    const infoHash = await run(backend, labeledExtract(kdf.hash, suite.id, empty, utf8('info_hash'), info));
    expect([hex(pskIdHash), hex(infoHash)]).toEqual([h.pskIdHash, h.infoHash]);
    const ksContext = concat(Uint8Array.of(0), pskIdHash, infoHash);
    expect(hex(ksContext)).toBe(h.keyScheduleContext);
    const ks = await run(
      backend,
      labeledExtract(kdf.hash, suite.id, encapsulation.sharedSecret, utf8('secret'), empty),
    );
    expect(hex(ks)).toBe(h.secret);
    const derive = (label: string, length: number) =>
      run(backend, labeledExpand(kdf.hash, suite.id, ks, utf8(label), ksContext, length));
    expect(hex(await derive('key', aead.nk))).toBe(h.key);
    expect(hex(await derive('base_nonce', aead.nn))).toBe(h.baseNonce);
    expect(hex(await derive('exp', kdf.nh))).toBe(h.exporterSecret);
    expect(r.nonce).toBe(h.baseNonce);
    const aad = requestAad(header, r.binding);
    expect(hex(aad)).toBe(r.aad);
    const ct = await run(
      backend,
      seal(suite, fromHex(h.key), fromHex(h.baseNonce), aad, fromHex(r.plaintext)),
    );
    expect(hex(ct)).toBe(r.ciphertext);
    const message = concat(header, ephemeral.publicKey, ct);
    expect(hex(message)).toBe(r.message);
    expect(toJsonMessage(message)).toEqual(r.json);
    expect(hex(fromJsonMessage(r.json))).toBe(r.message);
    // The library's own sender setup agrees, and its context is what the response keys come from.
    const { context } = await run(backend, setupBaseSender(suite, pkR, info, ephemeral));
    return { context, ephemeral };
  }

  async function checkResponse(
    suite: Suite,
    context: HpkeContext,
    enc: string,
    type: typeof MessageType.Response | typeof MessageType.HandshakeResponse,
    r: ResponseSection,
  ): Promise<void> {
    const header = encodeResponseHeader(type, r.contentType);
    expect(hex(header)).toBe(r.header);
    const k = r.keys;
    expect(k.label).toBe(type === MessageType.Response ? 'cl1 response' : 'cl1 handshake response');
    expect(hex(await run(backend, context.export(utf8(k.label), 32)))).toBe(k.exportedSecret);
    expect(k.salt).toBe(enc + k.responseNonce);
    const prk = await run(backend, extract(suite.kdf.hash, fromHex(k.salt), fromHex(k.exportedSecret)));
    expect(hex(prk)).toBe(k.prk);
    const keys = await run(
      backend,
      responseKeyMaterial(context, fromHex(enc), fromHex(k.responseNonce), utf8(k.label)),
    );
    expect([hex(keys.key), hex(keys.nonce)]).toEqual([k.key, k.nonce]);
    const aad = responseAad(header, r.status);
    expect(hex(aad)).toBe(r.aad);
    const ct = await run(backend, seal(suite, keys.key, keys.nonce, aad, fromHex(r.plaintext)));
    expect(hex(ct)).toBe(r.ciphertext);
    const message = concat(header, fromHex(k.responseNonce), ct);
    expect(hex(message)).toBe(r.message);
    expect(toJsonMessage(message)).toEqual(r.json);
    expect(hex(fromJsonMessage(r.json))).toBe(r.message);
  }

  function pendingFrom(context: HpkeContext, r: RequestSection, type: PendingResponse['responseType']) {
    return { responseType: type, context, enc: fromHex(r.hpke.enc), requestId: fromHex(r.requestId) };
  }

  describe('keys', () => {
    it('key pairs, SPKI, pins and key configs re-derive from the seeds', async () => {
      const set = await keySet();
      for (const entry of keysVector.keys) {
        const suite = suiteOf(entry.suite);
        const secret = await run(backend, deriveSecretKey(suite.kem, suite.kemSuiteId, fromHex(entry.ikm)));
        expect(hex(secret)).toBe(entry.privateKey);
        const pair = await run(backend, importPrivateKey(suite.kem, secret));
        expect(hex(pair.publicKey)).toBe(entry.publicKey);
        const key = set.keys.find((k) => k.keyId === entry.keyId);
        expect(key && hex(key.publicKey)).toBe(entry.publicKey);
        expect(key?.notBefore).toBe(entry.notBefore === undefined ? undefined : Date.parse(entry.notBefore));
        expect(key?.notAfter).toBe(entry.notAfter === undefined ? undefined : Date.parse(entry.notAfter));
        expect(hex(subjectPublicKeyInfo(suite.kem.curve, pair.publicKey))).toBe(entry.spki);
        expect(await run(backend, publicKeyPin(suite.kem.curve, pair.publicKey))).toBe(entry.pin);
        const config = {
          keyId: entry.keyId,
          kemId: suite.kem.id,
          publicKey: pair.publicKey,
          algorithms: [{ kdfId: suite.kdf.id, aeadId: suite.aead.id }],
        };
        expect(hex(encodeKeyConfig(config))).toBe(entry.keyConfig);
        expect(decodeKeyConfig(fromHex(entry.keyConfig))).toEqual(config);
      }
    });

    it('the discovery document and its application/ohttp-keys view', async () => {
      const set = await keySet();
      expect(await run(backend, set.discovery(keysVector.now))).toEqual(keysVector.discovery);
      expect(hex(fromBase64Url(keysVector.discovery.ohttpKeys))).toBe(keysVector.ohttpKeys);
      const configs = decodeKeyConfigList(fromHex(keysVector.ohttpKeys));
      expect(configs.map((c) => c.keyId)).toEqual(keysVector.discovery.keys.map((k) => Number(k.kid)));
      for (const config of configs) {
        expect(hex(encodeKeyConfig(config))).toBe(
          keysVector.keys.find((k) => k.keyId === config.keyId)?.keyConfig,
        );
      }
    });

    it.each(named(keysVector.selection))('client key selection: %s', async (_n, c) => {
      const published = await run(backend, readDiscoveryKeys(keysVector.discovery));
      const options = {
        now: c.now,
        ...(c.pins === undefined ? {} : { pins: c.pins }),
        ...(c.suites === undefined ? {} : { suites: c.suites.map((s) => suitesByName[s]) }),
      };
      if ('keyId' in c.expect) expect(selectServerKey(published, options).keyId).toBe(c.expect.keyId);
      else
        expect(() => selectServerKey(published, options)).toThrow(
          expect.objectContaining({ code: c.expect.error }),
        );
    });
  });

  it('request bindings and response status bytes', () => {
    for (const v of bindingFile.vectors) {
      if (v.bytes !== undefined) expect(hex(encodeBinding(v.binding)), v.name).toBe(v.bytes);
      else expect(() => encodeBinding(v.binding), v.name).toThrow(expect.objectContaining({ code: v.error }));
    }
    for (const v of bindingFile.statuses) {
      const aad = () => responseAad(new Uint8Array(0), v.status);
      if (v.bytes !== undefined) expect(hex(aad())).toBe(v.bytes);
      else expect(aad).toThrow(expect.objectContaining({ code: v.error }));
    }
  });

  it.each(named(windows))('replay window: %s', (_n, v) => {
    let window = new ReplayWindow(v.size);
    expect(window.toState()).toEqual(v.initial);
    for (const step of v.steps) {
      // Each step starts from the previous serialized state, as a shared store would.
      window = ReplayWindow.fromState(window.toState());
      expect(window.accept(step.counter), `counter ${step.counter}`).toBe(step.verdict);
      expect(window.toState()).toEqual(step.state);
    }
  });

  describe.each(named(stateless))('stateless %s', (_n, v) => {
    const suite = suiteOf(v.suite);

    it('ClientProtocol and ServerProtocol reproduce the messages from the recorded draws', async () => {
      const serverRandom = scriptedBackend(backend, v.random.server);
      const clientRandom = scriptedBackend(backend, v.random.client);
      const server = new ServerProtocol({
        backend: serverRandom.backend,
        keys: await keySet(),
        clock: () => v.serverTime,
        maxSkewMs: v.maxSkewMs,
      });
      const client = await ClientProtocol.create({
        backend: clientRandom.backend,
        discovery: keysVector.discovery,
        clock: () => v.clientTime,
        suites: [suite],
      });
      const sealed = await client.sealRequest(v.request.binding, {
        contentType: v.request.contentType,
        body: fromHex(v.request.plaintext),
      });
      expect(hex(sealed.message)).toBe(v.request.message);
      const opened = await server.openRequest(sealed.message, v.request.binding);
      const response = await opened.sealResponse({
        status: v.response.status,
        contentType: v.response.contentType,
        body: fromHex(v.response.plaintext),
      });
      expect(hex(response)).toBe(v.response.message);
      clientRandom.assertDone();
      serverRandom.assertDone();
    });

    it('every intermediate re-derives from the inputs', async () => {
      const { context } = await checkRequest(suite, v.serverKey.publicKey, MessageType.Request, v.request);
      await checkResponse(suite, context, v.request.hpke.enc, MessageType.Response, v.response);
    });

    it('the server opens the request with its private key; the client opens the response', async () => {
      const recipient = await run(backend, importPrivateKey(suite.kem, fromHex(v.serverKey.privateKey)));
      const request = parseEncapsulatedRequest(fromHex(v.request.message));
      const opened = await run(
        backend,
        openEncapsulatedRequest(request, suite, recipient, v.request.binding),
      );
      expect(hex(opened.body)).toBe(v.request.plaintext);
      const ephemeral = await run(
        backend,
        importPrivateKey(suite.kem, fromHex(v.request.hpke.ephemeralPrivateKey)),
      );
      const info = fromHex(v.request.hpke.info);
      const { context } = await run(backend, setupBaseSender(suite, recipient.publicKey, info, ephemeral));
      const pending = pendingFrom(context, v.request, MessageType.Response);
      const response = await run(
        backend,
        openEncapsulatedResponse(pending, fromHex(v.response.message), v.response.status),
      );
      expect([response.contentType, hex(response.body)]).toEqual([
        v.response.contentType,
        v.response.plaintext,
      ]);
    });
  });

  describe.each(named(handshakes))('handshake %s', (_n, v) => {
    const suite = suiteOf(v.suite);

    it('ClientProtocol and ServerProtocol reproduce the handshake from the recorded draws', async () => {
      const serverRandom = scriptedBackend(backend, v.random.server);
      const clientRandom = scriptedBackend(backend, v.random.client);
      const server = new ServerProtocol({
        backend: serverRandom.backend,
        keys: await keySet(),
        clock: () => v.serverTime,
        maxSkewMs: v.maxSkewMs,
        session: v.session,
      });
      const client = await ClientProtocol.create({
        backend: clientRandom.backend,
        discovery: keysVector.discovery,
        clock: () => v.clientTime,
        suites: [suite],
      });
      const hello = await client.startHandshake(v.request.binding);
      expect(hex(hello.message)).toBe(v.request.message);
      const accepted = await server.handshake(hello.message, v.request.binding);
      expect(hex(accepted.response)).toBe(v.response.message);
      const session = await hello.finish(accepted.response, HANDSHAKE_STATUS);
      expect(hex(session.sessionId)).toBe(v.grant.sessionId);
      expect([session.grant.expiresAt, session.grant.maxMessages]).toEqual([
        v.grant.expiresAt,
        v.grant.maxMessages,
      ]);
      const stored = await server.sessions.load(session.sessionId);
      if (stored === undefined || stored === 'revoked') throw new Error('session not saved');
      const { record } = stored;
      const k = v.sessionKeys;
      const m = record.material;
      expect([hex(m.c2sKey), hex(m.c2sIv), hex(m.s2cKey), hex(m.s2cIv)]).toEqual([
        k.c2sKey,
        k.c2sIv,
        k.s2cKey,
        k.s2cIv,
      ]);
      clientRandom.assertDone();
      serverRandom.assertDone();
    });

    it('every intermediate re-derives from the inputs', async () => {
      for (const [eph, purpose, random] of [
        [v.clientEphemeral, 'clientEphemeralIkm', v.random.client],
        [v.serverEphemeral, 'serverEphemeralIkm', v.random.server],
      ] as const) {
        expect(eph.ikm).toBe(hex(draw(random, purpose)));
        const secret = await run(backend, deriveSecretKey(suite.kem, suite.kemSuiteId, fromHex(eph.ikm)));
        expect(hex(secret)).toBe(eph.privateKey);
        expect(hex((await run(backend, importPrivateKey(suite.kem, secret))).publicKey)).toBe(eph.publicKey);
      }
      expect(v.request.plaintext).toBe(v.clientEphemeral.publicKey);
      const { context } = await checkRequest(
        suite,
        v.serverKey.publicKey,
        MessageType.HandshakeRequest,
        v.request,
      );
      const grant = new ByteWriter()
        .bytes(fromHex(v.grant.sessionId))
        .u64(v.grant.expiresAt)
        .u32(v.grant.maxMessages)
        .bytes(fromHex(v.grant.serverPublicKey))
        .finish();
      expect(hex(grant)).toBe(v.grant.bytes);
      expect(v.response.plaintext).toBe(v.grant.bytes);
      expect(v.grant.serverPublicKey).toBe(v.serverEphemeral.publicKey);
      await checkResponse(suite, context, v.request.hpke.enc, MessageType.HandshakeResponse, v.response);

      const k = v.sessionKeys;
      const serverEphemeral = await run(
        backend,
        importPrivateKey(suite.kem, fromHex(v.serverEphemeral.privateKey)),
      );
      const dh = await run(
        backend,
        call((b) => b.dh(suite.kem.curve, serverEphemeral.privateKey, fromHex(v.clientEphemeral.publicKey))),
      );
      expect(hex(dh)).toBe(k.dh);
      expect(k.exportContext).toBe('cl1 session');
      expect(hex(await run(backend, context.export(labels.session, suite.kdf.nh)))).toBe(k.salt);
      expect(hex(await run(backend, extract(suite.kdf.hash, fromHex(k.salt), dh)))).toBe(k.prk);
      expect(k.transcript).toBe(
        v.grant.sessionId + v.clientEphemeral.publicKey + v.serverEphemeral.publicKey,
      );
      const iv = await run(
        backend,
        expand(suite.kdf.hash, fromHex(k.prk), concat(labels.c2sIv, fromHex(k.transcript)), 12),
      );
      expect(hex(iv)).toBe(k.c2sIv);
      const keys = await run(
        backend,
        deriveSessionKeys(
          context,
          dh,
          fromHex(v.grant.sessionId),
          fromHex(v.clientEphemeral.publicKey),
          fromHex(v.serverEphemeral.publicKey),
        ),
      );
      expect([hex(keys.c2sKey), hex(keys.c2sIv), hex(keys.s2cKey), hex(keys.s2cIv)]).toEqual([
        k.c2sKey,
        k.c2sIv,
        k.s2cKey,
        k.s2cIv,
      ]);
    });

    it('the server opens the handshake request; the client finishes from its recorded state', async () => {
      const recipient = await run(backend, importPrivateKey(suite.kem, fromHex(v.serverKey.privateKey)));
      const request = parseEncapsulatedRequest(fromHex(v.request.message));
      const opened = await run(
        backend,
        openEncapsulatedRequest(request, suite, recipient, v.request.binding),
      );
      expect(hex(opened.body)).toBe(v.clientEphemeral.publicKey);
      const hpkeEphemeral = await run(
        backend,
        importPrivateKey(suite.kem, fromHex(v.request.hpke.ephemeralPrivateKey)),
      );
      const info = fromHex(v.request.hpke.info);
      const { context } = await run(
        backend,
        setupBaseSender(suite, recipient.publicKey, info, hpkeEphemeral),
      );
      const ephemeral = await run(
        backend,
        importPrivateKey(suite.kem, fromHex(v.clientEphemeral.privateKey)),
      );
      const pending = pendingFrom(context, v.request, MessageType.HandshakeResponse);
      const { grant, keys } = await run(
        backend,
        finishHandshake({ pending, ephemeral, suite }, fromHex(v.response.message), HANDSHAKE_STATUS),
      );
      expect([hex(grant.sessionId), grant.expiresAt, grant.maxMessages]).toEqual([
        v.grant.sessionId,
        v.grant.expiresAt,
        v.grant.maxMessages,
      ]);
      expect(hex(keys.s2cKey)).toBe(v.sessionKeys.s2cKey);
    });
  });

  describe.each(named(sessions))('session %s', (_n, v) => {
    it('is the session of its handshake vector', () => {
      const h = byName(handshakes, v.handshake.replace('handshake/', ''));
      expect([v.sessionId, v.expiresAt, v.maxMessages]).toEqual([
        h.grant.sessionId,
        h.grant.expiresAt,
        h.grant.maxMessages,
      ]);
      const { c2sKey, c2sIv, s2cKey, s2cIv } = h.sessionKeys;
      expect(v.keys).toEqual({ c2sKey, c2sIv, s2cKey, s2cIv });
    });

    it('every message re-derives from the session keys; each side opens the other one', async () => {
      const keys = await run(backend, importSessionKeys(material(v)));
      for (const e of v.exchanges) {
        const rq = e.request;
        const header = encodeSessionRequestHeader(fromHex(v.sessionId), e.counter, rq.contentType);
        expect(hex(header)).toBe(rq.header);
        expect(hex(counterNonce(fromHex(v.keys.c2sIv), e.counter))).toBe(rq.nonce);
        expect(hex(encodeBinding(rq.binding))).toBe(rq.bindingBytes);
        expect(hex(requestAad(header, rq.binding))).toBe(rq.aad);
        const message = await run(
          backend,
          sealSessionRequest(keys, e.counter, rq.binding, rq.contentType, fromHex(rq.plaintext)),
        );
        expect(hex(message)).toBe(rq.message);
        expect(rq.message).toBe(rq.header + rq.ciphertext);
        expect(toJsonMessage(message)).toEqual(rq.json);
        expect(hex(fromJsonMessage(rq.json))).toBe(rq.message);
        const opened = await run(backend, openSessionRequest(keys, parseSessionRequest(message), rq.binding));
        expect(hex(opened)).toBe(rq.plaintext);

        const rs = e.response;
        const responseHeader = encodeSessionResponseHeader(e.counter, rs.contentType);
        expect(hex(responseHeader)).toBe(rs.header);
        expect(hex(counterNonce(fromHex(v.keys.s2cIv), e.counter))).toBe(rs.nonce);
        expect(hex(responseAad(responseHeader, rs.status))).toBe(rs.aad);
        const response = await run(
          backend,
          sealSessionResponse(keys, e.counter, rs.status, rs.contentType, fromHex(rs.plaintext)),
        );
        expect(hex(response)).toBe(rs.message);
        expect(rs.message).toBe(rs.header + rs.ciphertext);
        expect(toJsonMessage(response)).toEqual(rs.json);
        const read = await run(
          backend,
          openSessionResponse(keys, parseSessionResponse(response), e.counter, rs.status),
        );
        expect(hex(read)).toBe(rs.plaintext);
      }
    });

    it('a ServerProtocol holding the session accepts the requests in order and seals the recorded responses', async () => {
      const clock = () => v.serverTime;
      const store = new MemorySessionStore({ clock });
      store.save(
        {
          material: material(v),
          createdAt: v.serverTime,
          expiresAt: v.expiresAt,
          maxMessages: v.maxMessages,
          attributes: {},
        },
        v.windowSize,
      );
      const server = new ServerProtocol({ backend, keys: await keySet(), clock, sessions: store });
      for (const e of v.exchanges) {
        const opened = await server.openRequest(fromHex(e.request.message), e.request.binding);
        expect(opened.kind === 'session' && opened.counter).toBe(e.counter);
        const response = await opened.sealResponse({
          status: e.response.status,
          contentType: e.response.contentType,
          body: fromHex(e.response.plaintext),
        });
        expect(hex(response)).toBe(e.response.message);
      }
    });
  });

  describe('negative vectors', () => {
    it('carry the error registry of the code', () => {
      expect(negativeFile.errors).toEqual(errorRegistry);
    });

    /** The receiver a negative vector names, holding the state of its base vector. */
    async function receive(n: NegativeVector): Promise<unknown> {
      const message = fromHex(n.message ?? '');
      const base = n.base?.split('/')[1] ?? '';
      switch (n.receiver) {
        case 'server.openRequest':
        case 'server.handshake': {
          const clock = () => n.serverTime as number;
          const store = new MemorySessionStore({ clock });
          if (n.base?.startsWith('session/')) {
            const s = byName(sessions, base);
            store.save(
              {
                material: material(s),
                createdAt: s.serverTime,
                expiresAt: s.expiresAt,
                maxMessages: s.maxMessages,
                attributes: {},
              },
              s.windowSize,
            );
            if (n.revoked) store.revoke(fromHex(s.sessionId));
          }
          const server = new ServerProtocol({
            backend: constantRandomness(backend),
            keys: await keySet(),
            clock,
            sessions: store,
            ...(n.maxBodyBytes === undefined ? {} : { maxBodyBytes: n.maxBodyBytes }),
          });
          const send = (bytes: Uint8Array, binding = n.binding ?? { method: 'POST', target: '/' }) =>
            n.receiver === 'server.handshake'
              ? server.handshake(bytes, binding)
              : server.openRequest(bytes, binding);
          for (const prior of n.before ?? []) await send(fromHex(prior.message), prior.binding);
          return send(message);
        }
        case 'client.openResponse':
        case 'client.finishHandshake': {
          const v = n.receiver === 'client.openResponse' ? byName(stateless, base) : byName(handshakes, base);
          const suite = suiteOf(v.suite);
          const hpkeEphemeral = await run(
            backend,
            importPrivateKey(suite.kem, fromHex(v.request.hpke.ephemeralPrivateKey)),
          );
          const { context } = await run(
            backend,
            setupBaseSender(
              suite,
              fromHex(v.serverKey.publicKey),
              fromHex(v.request.hpke.info),
              hpkeEphemeral,
            ),
          );
          if (n.receiver === 'client.openResponse') {
            return run(
              backend,
              openEncapsulatedResponse(
                pendingFrom(context, v.request, MessageType.Response),
                message,
                n.status as number,
              ),
            );
          }
          const h = v as HandshakeVector;
          const ephemeral = await run(
            backend,
            importPrivateKey(suite.kem, fromHex(h.clientEphemeral.privateKey)),
          );
          const pending = pendingFrom(context, v.request, MessageType.HandshakeResponse);
          return run(backend, finishHandshake({ pending, ephemeral, suite }, message, n.status as number));
        }
        case 'client.openSessionResponse': {
          const keys = await run(backend, importSessionKeys(material(byName(sessions, base))));
          return run(
            backend,
            openSessionResponse(keys, parseSessionResponse(message), n.counter as number, n.status as number),
          );
        }
        case 'json.decode':
          return fromJsonMessage(n.json);
      }
    }

    it.each(named(negativeFile.vectors))('%s', async (_n, n) => {
      let outcome: unknown = 'accepted';
      try {
        await receive(n);
      } catch (error) {
        if (!isCipherlayerError(error)) throw error;
        outcome = { code: error.code, status: error.status };
      }
      expect(outcome).toEqual(n.error);
    });
  });

  it('the files on disk are exactly what the generator writes now', async () => {
    const generated = await generateVectors(backend);
    const onDisk = readdirSync(directory).filter((f) => f.endsWith('.json'));
    expect(onDisk.sort()).toEqual([...generated.keys()].sort());
    for (const [file, text] of generated)
      expect(readFileSync(join(directory, file), 'utf8'), file).toBe(text);
  });
});

describe('spec vectors: coverage', () => {
  it('every message type, both suites, every receiver', () => {
    const types = new Set<number>();
    for (const v of [...stateless, ...handshakes]) {
      types.add(fromHex(v.request.message)[1] as number);
      types.add(fromHex(v.response.message)[1] as number);
    }
    for (const v of sessions)
      for (const e of v.exchanges) {
        types.add(fromHex(e.request.message)[1] as number);
        types.add(fromHex(e.response.message)[1] as number);
      }
    expect([...types].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const list of [stateless, handshakes, sessions])
      expect(list.map((v) => v.suite.name)).toEqual(['X25519', 'P-256']);
    expect(new Set(negativeFile.vectors.map((n) => n.receiver)).size).toBe(6);
  });
});
