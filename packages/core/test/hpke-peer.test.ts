import {
  Aes128Gcm,
  Aes256Gcm,
  CipherSuite,
  DhkemP256HkdfSha256,
  DhkemX25519HkdfSha256,
  HkdfSha256,
  OpenError,
} from '@hpke/core';
import { describe, expect, it } from 'vitest';
import { setupBaseRecipient, setupBaseSender } from '../src/hpke/context.js';
import { deriveKeyPair, generateKeyPair } from '../src/hpke/kem.js';
import {
  AeadId,
  hpkeSuite,
  KdfId,
  KemId,
  P256_SHA256_AES256GCM,
  type Suite,
  X25519_SHA256_AES256GCM,
} from '../src/hpke/suites.js';
import { toHex, utf8 } from '../src/lib/bytes.js';
import { backends, run } from './helpers/backends.js';
import { expectRejected } from './helpers/wycheproof.js';

/**
 * Interoperability with an independent HPKE implementation, @hpke/core
 * (hpke-js), in base mode. With a fixed ephemeral key both produce the same
 * bytes; with random ones each opens what the other sealed.
 */
const peerSuites: readonly [string, Suite, () => CipherSuite][] = [
  [
    'DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM',
    X25519_SHA256_AES256GCM,
    () => new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() }),
  ],
  [
    'DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM',
    P256_SHA256_AES256GCM,
    () => new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() }),
  ],
  [
    'DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM',
    hpkeSuite(KemId.DhkemX25519Sha256, KdfId.HkdfSha256, AeadId.Aes128Gcm),
    () => new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() }),
  ],
];

// Test inputs, not secrets: fixed so that both implementations derive the same keys.
const ikmR = Uint8Array.from({ length: 32 }, (_, i) => i);
const ikmE = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 ^ i);
const info = utf8('cipherlayer hpke-peer test');
// Several messages, so that sequence numbers 0..4 (and their nonces) are all compared.
const messages = [
  { aad: utf8('header 0'), pt: utf8('first message') },
  { aad: new Uint8Array(0), pt: utf8('no associated data') },
  { aad: utf8('header 2'), pt: new Uint8Array(0) },
  { aad: utf8('header 3'), pt: new Uint8Array(1000).fill(0x5a) },
  { aad: utf8('header 4'), pt: utf8('last message') },
];
const exportRequests = [
  { context: new Uint8Array(0), length: 32 },
  { context: utf8('exporter context'), length: 16 },
  { context: utf8('exporter context'), length: 64 },
];

const bytes = (buffer: ArrayBuffer) => new Uint8Array(buffer);

function flipBit(data: Uint8Array, index: number): Uint8Array {
  const copy = data.slice();
  copy[index] = (copy[index] as number) ^ 0x01;
  return copy;
}

describe.each(peerSuites)('HPKE interop with @hpke/core: %s', (_title, suite, makePeer) => {
  const peer = makePeer();

  describe.each(backends)('%s backend', (_name, backend) => {
    const ourRecipient = () => run(backend, deriveKeyPair(suite.kem, suite.kemSuiteId, ikmR));

    it('derives the same recipient key pair from the same ikm', async () => {
      const ours = await ourRecipient();
      const theirs = await peer.kem.deriveKeyPair(ikmR);
      expect(toHex(ours.publicKey)).toBe(toHex(bytes(await peer.kem.serializePublicKey(theirs.publicKey))));
    });

    it('produces the same enc, ciphertexts and exports from the same ephemeral ikm', async () => {
      const recipient = await ourRecipient();
      const ephemeral = await run(backend, deriveKeyPair(suite.kem, suite.kemSuiteId, ikmE));
      const ours = await run(backend, setupBaseSender(suite, recipient.publicKey, info, ephemeral));
      const theirs = await peer.createSenderContext({
        recipientPublicKey: await peer.kem.deserializePublicKey(recipient.publicKey),
        info,
        ekm: ikmE,
      });
      expect(toHex(ours.enc)).toBe(toHex(bytes(theirs.enc)));
      for (const [sequence, { aad, pt }] of messages.entries()) {
        const ourCt = await run(backend, ours.context.seal(aad, pt));
        expect(toHex(ourCt), `sequence ${sequence}`).toBe(toHex(bytes(await theirs.seal(pt, aad))));
      }
      for (const { context, length } of exportRequests) {
        const ourSecret = await run(backend, ours.context.export(context, length));
        expect(toHex(ourSecret), `export ${length}`).toBe(toHex(bytes(await theirs.export(context, length))));
      }
    });

    it('opens in @hpke/core what our sender sealed, message after message', async () => {
      const recipient = await ourRecipient();
      const ephemeral = await run(backend, generateKeyPair(suite.kem, suite.kemSuiteId));
      const sender = await run(backend, setupBaseSender(suite, recipient.publicKey, info, ephemeral));
      const theirs = await peer.createRecipientContext({
        recipientKey: await peer.kem.deriveKeyPair(ikmR),
        enc: sender.enc,
        info,
      });
      for (const [sequence, { aad, pt }] of messages.entries()) {
        const ct = await run(backend, sender.context.seal(aad, pt));
        expect(toHex(bytes(await theirs.open(ct, aad))), `sequence ${sequence}`).toBe(toHex(pt));
      }
      for (const { context, length } of exportRequests) {
        expect(toHex(bytes(await theirs.export(context, length))), `export ${length}`).toBe(
          toHex(await run(backend, sender.context.export(context, length))),
        );
      }
    });

    it('opens what the @hpke/core sender sealed, message after message', async () => {
      const recipient = await ourRecipient();
      const theirs = await peer.createSenderContext({
        recipientPublicKey: await peer.kem.deserializePublicKey(recipient.publicKey),
        info,
      });
      const ours = await run(backend, setupBaseRecipient(suite, bytes(theirs.enc), recipient, info));
      for (const [sequence, { aad, pt }] of messages.entries()) {
        const ct = bytes(await theirs.seal(pt, aad));
        expect(toHex(await run(backend, ours.open(aad, ct))), `sequence ${sequence}`).toBe(toHex(pt));
      }
      for (const { context, length } of exportRequests) {
        expect(toHex(await run(backend, ours.export(context, length))), `export ${length}`).toBe(
          toHex(bytes(await theirs.export(context, length))),
        );
      }
    });

    // RFC 9180, section 5.2: a failed Open does not advance the sequence number, so the
    // genuine message that follows a forgery still opens on both sides.
    it('rejects tampered ciphertexts on both sides and keeps the context usable', async () => {
      const recipient = await ourRecipient();
      const ephemeral = await run(backend, generateKeyPair(suite.kem, suite.kemSuiteId));
      const sender = await run(backend, setupBaseSender(suite, recipient.publicKey, info, ephemeral));
      const theirs = await peer.createRecipientContext({
        recipientKey: await peer.kem.deriveKeyPair(ikmR),
        enc: sender.enc,
        info,
      });
      const ours = await run(backend, setupBaseRecipient(suite, sender.enc, recipient, info));
      for (const [sequence, { aad, pt }] of messages.entries()) {
        const ct = await run(backend, sender.context.seal(aad, pt));
        // One bit of the body (when there is one) and one bit of the tag.
        const forgeries = [flipBit(ct, ct.length - 1), ...(pt.length > 0 ? [flipBit(ct, 0)] : [])];
        for (const forged of forgeries) {
          await expect(theirs.open(forged, aad), `sequence ${sequence}`).rejects.toBeInstanceOf(OpenError);
          await expectRejected(
            () => run(backend, ours.open(aad, forged)),
            ['ERR_DECRYPT'],
            `sequence ${sequence}`,
          );
        }
        expect(toHex(bytes(await theirs.open(ct, aad))), `sequence ${sequence}`).toBe(toHex(pt));
        expect(toHex(await run(backend, ours.open(aad, ct))), `sequence ${sequence}`).toBe(toHex(pt));
      }
    });
  });
});
