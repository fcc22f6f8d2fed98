import { encodeBinding, requestAad, responseAad } from '../../cl1/binding.js';
import {
  encodeSessionRequestHeader,
  encodeSessionResponseHeader,
  parseSessionResponse,
} from '../../cl1/messages.js';
import { openSessionResponse, sealSessionRequest } from '../../cl1/session.js';
import { importSessionKeys } from '../../cl1/session-keys.js';
import type { CryptoBackend } from '../../lib/backend.js';
import { concat, counterNonce, toHex, utf8 } from '../../lib/bytes.js';
import { runFlow } from '../../lib/flow.js';
import { SERVER_TIME, SESSION_EXCHANGES, SESSION_OPTIONS } from './fixtures.js';
import type { HandshakeOutcome } from './handshake.js';
import { suiteIds } from './keys.js';
import { jsonOf } from './sections.js';
import { aeadSeal, assertSame } from './trace.js';
import type { SessionExchange, SessionVector } from './types.js';

/**
 * Requests and responses inside the session a handshake vector established:
 * the client's first two messages through ClientSession, then one far ahead
 * with the low-level functions. The server that ran the handshake opens each.
 */
export async function sessionVector(base: CryptoBackend, outcome: HandshakeOutcome): Promise<SessionVector> {
  const { server, session, material } = outcome;
  const { suite } = material;
  const keys = await runFlow(base, importSessionKeys(material));
  const exchanges: SessionExchange[] = [];
  for (const fixture of SESSION_EXCHANGES) {
    const { counter, binding, status } = fixture;
    const requestBody = utf8(fixture.request.body);
    const responseBody = utf8(fixture.response.body);
    let message: Uint8Array;
    let openResponse: (response: Uint8Array) => Promise<Uint8Array>;
    if (counter === session.nextCounter) {
      const sealed = await session.sealRequest(binding, {
        contentType: fixture.request.contentType,
        body: requestBody,
      });
      message = sealed.message;
      openResponse = async (response) => (await sealed.openResponse(response, status)).body;
    } else {
      message = await runFlow(
        base,
        sealSessionRequest(keys, counter, binding, fixture.request.contentType, requestBody),
      );
      openResponse = (response) =>
        runFlow(base, openSessionResponse(keys, parseSessionResponse(response), counter, status));
    }
    const opened = await server.openRequest(message, binding);
    if (opened.kind !== 'session' || opened.counter !== counter)
      throw new Error('vector self-check failed: session request');
    assertSame('server opens the session request', opened.body, requestBody);
    const response = await opened.sealResponse({
      status,
      contentType: fixture.response.contentType,
      body: responseBody,
    });
    assertSame('client opens the session response', await openResponse(response), responseBody);

    const requestHeader = encodeSessionRequestHeader(
      material.sessionId,
      counter,
      fixture.request.contentType,
    );
    const requestNonce = counterNonce(material.c2sIv, counter);
    const requestAadBytes = requestAad(requestHeader, binding);
    const requestCiphertext = await runFlow(
      base,
      aeadSeal(suite, material.c2sKey, requestNonce, requestAadBytes, requestBody),
    );
    assertSame('session request bytes', message, concat(requestHeader, requestCiphertext));
    const responseHeader = encodeSessionResponseHeader(counter, fixture.response.contentType);
    const responseNonce = counterNonce(material.s2cIv, counter);
    const responseAadBytes = responseAad(responseHeader, status);
    const responseCiphertext = await runFlow(
      base,
      aeadSeal(suite, material.s2cKey, responseNonce, responseAadBytes, responseBody),
    );
    assertSame('session response bytes', response, concat(responseHeader, responseCiphertext));
    exchanges.push({
      counter,
      request: {
        binding,
        bindingBytes: toHex(encodeBinding(binding)),
        contentType: fixture.request.contentType,
        plaintext: toHex(requestBody),
        header: toHex(requestHeader),
        aad: toHex(requestAadBytes),
        nonce: toHex(requestNonce),
        ciphertext: toHex(requestCiphertext),
        message: toHex(message),
        json: jsonOf(message),
      },
      response: {
        status,
        contentType: fixture.response.contentType,
        plaintext: toHex(responseBody),
        header: toHex(responseHeader),
        aad: toHex(responseAadBytes),
        nonce: toHex(responseNonce),
        ciphertext: toHex(responseCiphertext),
        message: toHex(response),
        json: jsonOf(response),
      },
    });
  }
  return {
    name: outcome.vector.name,
    suite: suiteIds(suite),
    handshake: `handshake/${outcome.vector.name}`,
    serverTime: SERVER_TIME,
    sessionId: toHex(material.sessionId),
    expiresAt: outcome.vector.grant.expiresAt,
    maxMessages: outcome.vector.grant.maxMessages,
    windowSize: SESSION_OPTIONS.windowSize,
    keys: {
      c2sKey: toHex(material.c2sKey),
      c2sIv: toHex(material.c2sIv),
      s2cKey: toHex(material.s2cKey),
      s2cIv: toHex(material.s2cIv),
    },
    exchanges,
  };
}
