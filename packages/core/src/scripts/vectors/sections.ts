import { encodeBinding, type RequestBinding, requestAad, responseAad } from '../../cl1/binding.js';
import { fromJsonMessage, toJsonMessage } from '../../cl1/json.js';
import { parseEncapsulatedRequest, parseEncapsulatedResponse } from '../../cl1/messages.js';
import type { Suite } from '../../hpke/suites.js';
import type { CryptoBackend } from '../../lib/backend.js';
import { toHex } from '../../lib/bytes.js';
import { runFlow } from '../../lib/flow.js';
import { responseNonceLength } from '../../ohttp/encapsulation.js';
import {
  aeadSeal,
  assertSame,
  type HpkeSetupTrace,
  hexAll,
  traceHpkeSetup,
  traceResponseKeys,
} from './trace.js';
import type { RequestSection, ResponseSection } from './types.js';

/** Checks that the JSON encoding decodes back to the same binary message. */
export function jsonOf(message: Uint8Array, nonceLength?: number): ReturnType<typeof toJsonMessage> {
  const json = toJsonMessage(message, nonceLength);
  assertSame(
    'JSON encoding round trip',
    fromJsonMessage(JSON.parse(JSON.stringify(json)), nonceLength),
    message,
  );
  return json;
}

/**
 * The recorded form of a request sealed to a server key (stateless or
 * handshake), with every intermediate recomputed from the inputs and checked
 * against the message the protocol code produced.
 */
export async function requestSection(
  base: CryptoBackend,
  params: {
    suite: Suite;
    recipientPublicKey: Uint8Array;
    ephemeralIkm: Uint8Array;
    label: Uint8Array;
    binding: RequestBinding;
    plaintext: Uint8Array;
    message: Uint8Array;
  },
): Promise<{ section: RequestSection; hpke: HpkeSetupTrace }> {
  const parsed = parseEncapsulatedRequest(params.message);
  const hpke = await runFlow(
    base,
    traceHpkeSetup({
      suite: params.suite,
      recipientPublicKey: params.recipientPublicKey,
      ephemeralIkm: params.ephemeralIkm,
      label: params.label,
      header: parsed.header,
    }),
  );
  assertSame('enc', hpke.enc, parsed.enc);
  const aad = requestAad(parsed.header, params.binding);
  const ciphertext = await runFlow(
    base,
    aeadSeal(params.suite, hpke.key, hpke.baseNonce, aad, params.plaintext),
  );
  assertSame('request ciphertext', ciphertext, parsed.ciphertext);
  const section: RequestSection = {
    binding: params.binding,
    bindingBytes: toHex(encodeBinding(params.binding)),
    keyId: parsed.keyId,
    timestamp: parsed.timestamp,
    requestId: toHex(parsed.requestId),
    contentType: parsed.contentType,
    plaintext: toHex(params.plaintext),
    header: toHex(parsed.header),
    hpke: hexAll(hpke),
    aad: toHex(aad),
    nonce: toHex(hpke.baseNonce),
    ciphertext: toHex(ciphertext),
    message: toHex(params.message),
    json: jsonOf(params.message),
  };
  return { section, hpke };
}

/** The recorded form of the response to a request, keyed from the request's HPKE context. */
export async function responseSection(
  base: CryptoBackend,
  params: {
    suite: Suite;
    hpke: HpkeSetupTrace;
    label: Uint8Array;
    status: number;
    plaintext: Uint8Array;
    message: Uint8Array;
  },
): Promise<ResponseSection> {
  const { suite } = params;
  const nonceLength = responseNonceLength(suite);
  const parsed = parseEncapsulatedResponse(params.message, nonceLength);
  const keys = await runFlow(
    base,
    traceResponseKeys({
      suite,
      exporterSecret: params.hpke.exporterSecret,
      enc: params.hpke.enc,
      responseNonce: parsed.responseNonce,
      label: params.label,
    }),
  );
  const aad = responseAad(parsed.header, params.status);
  const ciphertext = await runFlow(base, aeadSeal(suite, keys.key, keys.nonce, aad, params.plaintext));
  assertSame('response ciphertext', ciphertext, parsed.ciphertext);
  return {
    status: params.status,
    contentType: parsed.contentType,
    plaintext: toHex(params.plaintext),
    header: toHex(parsed.header),
    keys: hexAll(keys),
    aad: toHex(aad),
    ciphertext: toHex(ciphertext),
    message: toHex(params.message),
    json: jsonOf(params.message, nonceLength),
  };
}
