import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import type { RequestBinding } from '@cipherlayer/core';
import { cl1Fixture, now, openSession } from '../fixtures.js';
import type { BenchGroup, Variant } from '../group.js';
import { DOCUMENT, DOCUMENT_JSON } from '../http/document.js';
import { mastercardPeer, roundTrip } from '../reference/mastercard.js';

const BARE = 'bare AES-256-GCM encrypt + decrypt of the JSON (node:crypto)';
const MC_FLE = 'mastercard-client-encryption, field-level (RSA-OAEP-SHA256 + AES-CBC, node-forge)';
const MC_JWE = 'mastercard-client-encryption, JWE mode (RSA-OAEP-256 + A256GCM)';
const CL1_STATELESS = 'cl1 stateless, seal + open (HPKE X25519, node:crypto)';
const CL1_SESSION = 'cl1 session, seal + open (node:crypto)';

const binding: RequestBinding = { method: 'POST', target: '/api/echo' };
const request = { contentType: 'application/json', body: new TextEncoder().encode(DOCUMENT_JSON) };
const same = (value: unknown) => JSON.stringify(value) === DOCUMENT_JSON;

/** The floor: the JSON text encrypted and decrypted once, a fresh IV, no AAD. */
function barePair(): () => string {
  const key = createSecretKey(randomBytes(32));
  return () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const sealed = Buffer.concat([cipher.update(DOCUMENT_JSON, 'utf8'), cipher.final()]);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(cipher.getAuthTag());
    return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
  };
}

export const peers: BenchGroup = {
  name: 'peers',
  title: 'An independent peer: mastercard-client-encryption, one 1 KiB JSON payload',
  description:
    'One JSON payload (the 1 KiB account document of the HTTP suites) encrypted by the sender and decrypted ' +
    'by the receiver, both ends in one operation: with `mastercard-client-encryption` (Mastercard’s payload ' +
    'encryption, a library users install for the same job), in its field-level mode and its JWE mode, each with ' +
    'a fresh AES key wrapped to the receiver’s RSA-2048 key per payload; and with cl1, statelessly (a fresh HPKE ' +
    'encapsulation to the server’s X25519 key per message) and in a session. Both cl1 rows are compared with ' +
    'the JWE mode, the closest in construction.',

  async setup() {
    const peer = mastercardPeer();
    const { server, nodeClient } = await cl1Fixture();
    const session = await openSession(server, nodeClient);
    const bare = barePair();
    // Each is checked once before timing: the receiver gets the document back.
    for (const [name, mode] of [
      [MC_FLE, peer.fieldLevel],
      [MC_JWE, peer.jwe],
    ] as const) {
      if (!same(roundTrip(mode, DOCUMENT))) throw new Error(`${name}: the receiver did not get the document`);
    }
    const openOnce = (sealer: typeof nodeClient | typeof session) =>
      new TextDecoder().decode(
        now(server.openRequest(now(sealer.sealRequest(binding, request)).message, binding)).body,
      );
    if (openOnce(nodeClient) !== DOCUMENT_JSON || openOnce(session) !== DOCUMENT_JSON)
      throw new Error('cl1: the server did not open the document');
    if (bare() !== DOCUMENT_JSON) throw new Error('bare AES-256-GCM did not round-trip');

    const cl1 = (name: string, sealer: typeof nodeClient | typeof session): Variant => ({
      name,
      versus: MC_JWE,
      operation: {
        sync: () => now(server.openRequest(now(sealer.sealRequest(binding, request)).message, binding)),
      },
    });
    return {
      variants: [
        { name: BARE, operation: { sync: bare } },
        // node-forge's RSA private-key operation in JavaScript takes tens of milliseconds: a few per round.
        {
          name: MC_FLE,
          versus: BARE,
          maxIterations: 8,
          operation: { sync: () => roundTrip(peer.fieldLevel, DOCUMENT) },
        },
        { name: MC_JWE, versus: BARE, operation: { sync: () => roundTrip(peer.jwe, DOCUMENT) } },
        cl1(CL1_STATELESS, nodeClient),
        cl1(CL1_SESSION, session),
      ],
      notes: [
        `${MC_FLE}: \`new FieldLevelEncryption(config)\` as its README configures it (\`$\` to \`$\`, base64, OAEP SHA-256, certificate content), then per payload \`fle.encrypt(endpoint, {}, body)\` and \`fle.decrypt({ request: { url }, body })\`; the library writes into the body it is given, so each call gets a \`structuredClone\` of the document (a few µs, counted).`,
        `${MC_JWE}: \`new JweEncryption(config)\` (\`mode: 'JWE'\`, keys read from files once), the same two calls per payload.`,
        `cl1 rows: the client's \`sealRequest(binding, {application/json, 1 KiB})\` and the server's \`openRequest\` in one operation, with the server's default replay cache and session store. No response is sealed, as in the peer's rows.`,
        'The peer binds nothing to the request (method, path, time) and keeps no replay state; cl1 does both.',
      ],
      teardown: () => peer.dispose(),
    };
  },
};
