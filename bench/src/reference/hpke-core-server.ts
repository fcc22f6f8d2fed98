import { encodeBinding, type RequestBinding, type ResponseParts } from '@cipherlayer/core';
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';

/**
 * The server side of one cl1 stateless exchange written on @hpke/core (an
 * independent HPKE implementation on Web Crypto), as an application would
 * write it with that library: the baseline of the `stateless` group.
 *
 * Per exchange it does exactly this, and produces bytes the cl1 client opens
 * (the group checks that before timing):
 * 1. parse the request header (magic, type, content-type length) and split
 *    header ‖ enc ‖ ciphertext;
 * 2. `suite.createRecipientContext({ recipientKey, enc, info })` with the
 *    server key pair as a CryptoKeyPair (so the public key is not re-derived),
 *    info = "cl1 request" ‖ 0x00 ‖ header;
 * 3. `context.open(ciphertext, header ‖ binding)`;
 * 4. RFC 9458 section 4.4 response keys: a 32-byte random response nonce,
 *    `context.export("cl1 response", 32)`, then key and nonce with
 *    `suite.kdf.extractAndExpand(enc ‖ response_nonce, secret, "key" | "nonce", L)`
 *    (two Web Crypto HKDF calls: @hpke/core's `extract` only accepts a salt
 *    of exactly Nh bytes, and this salt is 64, so Extract runs once per Expand);
 * 5. `suite.aead.createEncryptionContext(key).seal(nonce, body, header ‖ status)`.
 *
 * What it leaves out that the cl1 server does: suite and key-id checks,
 * the timestamp window, the replay cache. So the ratio flatters @hpke/core
 * slightly, never cl1.
 */

const REQUEST_LABEL = new TextEncoder().encode('cl1 request');
const RESPONSE_LABEL = new TextEncoder().encode('cl1 response');
const KEY_LABEL = new TextEncoder().encode('key');
const NONCE_LABEL = new TextEncoder().encode('nonce');
const MAGIC = 0xc1;
const TYPE_REQUEST = 0x01;
const TYPE_RESPONSE = 0x02;
/** magic, type, key id, kem, kdf, aead, timestamp, request id: then the content-type length byte. */
const REQUEST_FIXED_BYTES = 1 + 1 + 1 + 2 + 2 + 2 + 8 + 16;
const ENC_BYTES = 32;
const RESPONSE_NONCE_BYTES = 32; // max(Nn, Nk) for AES-256-GCM
const NK = 32;
const NN = 12;

function concat(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A copy backed by its own ArrayBuffer: the input type @hpke/core accepts. */
function owned(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

export interface HpkeCoreServer {
  /** Opens `message` and seals `response` to it; returns the request body and the response message. */
  exchange(
    message: Uint8Array,
    binding: RequestBinding,
    response: ResponseParts,
  ): Promise<{ body: Uint8Array; response: Uint8Array }>;
}

export async function createHpkeCoreServer(
  privateKey: Uint8Array,
  publicKey: Uint8Array,
): Promise<HpkeCoreServer> {
  const suite = new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Aes256Gcm(),
  });
  const recipientKey: CryptoKeyPair = {
    privateKey: await suite.kem.importKey('raw', owned(privateKey), false),
    publicKey: await suite.kem.importKey('raw', owned(publicKey), true),
  };

  return {
    async exchange(message, binding, response) {
      if (message[0] !== MAGIC || message[1] !== TYPE_REQUEST) throw new Error('not a cl1 request');
      const headerLength = REQUEST_FIXED_BYTES + 1 + (message[REQUEST_FIXED_BYTES] as number);
      const header = message.subarray(0, headerLength);
      const enc = message.subarray(headerLength, headerLength + ENC_BYTES);
      const ciphertext = message.subarray(headerLength + ENC_BYTES);

      const context = await suite.createRecipientContext({
        recipientKey,
        enc: owned(enc),
        info: concat(REQUEST_LABEL, Uint8Array.of(0), header),
      });
      const body = await context.open(ciphertext, concat(header, encodeBinding(binding)));

      const responseNonce = crypto.getRandomValues(new Uint8Array(RESPONSE_NONCE_BYTES));
      const secret = await context.export(RESPONSE_LABEL, RESPONSE_NONCE_BYTES);
      const salt = concat(enc, responseNonce);
      const key = await suite.kdf.extractAndExpand(salt, secret, KEY_LABEL, NK);
      const nonce = await suite.kdf.extractAndExpand(salt, secret, NONCE_LABEL, NN);
      const contentType = new TextEncoder().encode(response.contentType);
      const responseHeader = concat(Uint8Array.of(MAGIC, TYPE_RESPONSE, contentType.length), contentType);
      const aad = concat(responseHeader, Uint8Array.of(response.status >> 8, response.status & 0xff));
      const sealed = await suite.aead.createEncryptionContext(key).seal(nonce, response.body, aad);
      return {
        body: new Uint8Array(body),
        response: concat(responseHeader, responseNonce, new Uint8Array(sealed)),
      };
    },
  };
}
