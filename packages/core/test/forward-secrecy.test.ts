import { describe, expect, it } from 'vitest';
import { responseAad } from '../src/cl1/binding.js';
import { acceptHandshake, finishHandshake, startHandshake } from '../src/cl1/handshake.js';
import { labels } from '../src/cl1/labels.js';
import {
  MessageType,
  parseEncapsulatedRequest,
  parseEncapsulatedResponse,
  parseSessionRequest,
} from '../src/cl1/messages.js';
import { openSessionRequest, sealSessionRequest } from '../src/cl1/session.js';
import { deriveSessionKeys, importSessionKeys } from '../src/cl1/session-keys.js';
import { openEncapsulatedRequest } from '../src/cl1/stateless.js';
import { X25519_SHA256_AES256GCM } from '../src/hpke/suites.js';
import { generateServerKey } from '../src/keys/server-key.js';
import { utf8 } from '../src/lib/bytes.js';
import { call } from '../src/lib/flow.js';
import { openResponsePayload, responseNonceLength } from '../src/ohttp/encapsulation.js';
import { backends, run } from './helpers/backends.js';

/**
 * Forward secrecy of sessions: someone who recorded a handshake and the
 * session's messages, and later steals the server's long-term private key,
 * learns both ephemeral public keys but not the session keys, because those
 * come from the ephemeral-ephemeral DH whose private halves were discarded.
 */
const binding = { method: 'POST', target: '/.well-known/cipherlayer/session' };
const route = { method: 'POST', target: '/api/transfer' };

describe.each(backends)('forward secrecy on %s', (_name, backend) => {
  it('a stolen long-term key opens the handshake but not the session', async () => {
    const suite = X25519_SHA256_AES256GCM;
    const serverKey = await run(backend, generateServerKey({ keyId: 1 }));
    const key = { keyId: 1, suite, publicKey: serverKey.publicKey };
    const grant = { sessionId: new Uint8Array(16).fill(9), expiresAt: Date.now() + 60_000, maxMessages: 100 };

    // The real exchange, recorded by the attacker.
    const { message: hello, handshake } = await run(
      backend,
      startHandshake({ key, binding, timestamp: Date.now() }),
    );
    const request = parseEncapsulatedRequest(hello);
    const accepted = await run(
      backend,
      acceptHandshake({ request, suite, recipient: serverKey.keyPair, binding, grant }),
    );
    const client = await run(backend, finishHandshake(handshake, accepted.response, 200));
    const clientKeys = await run(backend, importSessionKeys(client.keys));
    const secret = utf8('IBAN DE89 3704 0044 0532 0130 00');
    const recorded = await run(backend, sealSessionRequest(clientKeys, 0, route, 'text/plain', secret));

    // Later: the attacker holds the long-term private key and replays the recorded handshake.
    const { body: clientPublic, context } = await run(
      backend,
      openEncapsulatedRequest(request, suite, serverKey.keyPair, binding),
    );
    const response = parseEncapsulatedResponse(accepted.response, responseNonceLength(suite));
    expect(response.type).toBe(MessageType.HandshakeResponse);
    const grantBytes = await run(
      backend,
      openResponsePayload({
        context,
        enc: request.enc,
        responseNonce: response.responseNonce,
        label: labels.handshakeResponse,
        aad: responseAad(response.header, 200),
        ciphertext: response.ciphertext,
      }),
    );
    const serverPublic = grantBytes.subarray(16 + 8 + 4);
    expect(clientPublic).toEqual(handshake.ephemeral.publicKey);

    // Every DH the long-term key allows, used as the session's DH input, fails to open the message.
    const parsed = parseSessionRequest(recorded);
    const guesses = [
      await run(
        backend,
        call((b) => b.dh(suite.kem.curve, serverKey.keyPair.privateKey, clientPublic)),
      ),
      await run(
        backend,
        call((b) => b.dh(suite.kem.curve, serverKey.keyPair.privateKey, serverPublic)),
      ),
    ];
    for (const dh of guesses) {
      const material = await run(
        backend,
        deriveSessionKeys(context, dh, grant.sessionId, clientPublic, serverPublic),
      );
      const keys = await run(backend, importSessionKeys(material));
      await expect(run(backend, openSessionRequest(keys, parsed, route))).rejects.toMatchObject({
        code: 'ERR_DECRYPT',
      });
    }

    // Control: with the client's ephemeral private key (which the client discards), it does open,
    // so the failures above are due to the missing ephemeral secret and nothing else.
    const dh = await run(
      backend,
      call((b) => b.dh(suite.kem.curve, handshake.ephemeral.privateKey, serverPublic)),
    );
    const material = await run(
      backend,
      deriveSessionKeys(context, dh, grant.sessionId, clientPublic, serverPublic),
    );
    const opened = await run(
      backend,
      openSessionRequest(await run(backend, importSessionKeys(material)), parsed, route),
    );
    expect(opened).toEqual(secret);
  });
});
