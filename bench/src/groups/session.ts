import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import type { ClientSession, SealedClientRequest, ServerProtocol } from '@cipherlayer/core';
import { binding, body, cl1Fixture, now, openSession, request, response } from '../fixtures.js';
import { type BenchGroup, ratioAtMost, type Variant } from '../group.js';

const BARE = 'bare AES-256-GCM encrypt + decrypt (node:crypto)';
const CL1_SERVER = 'cl1 session server exchange (node:crypto)';
const CL1_CLIENT_NODE = 'cl1 session client exchange (node:crypto)';
const CL1_CLIENT_WEB = 'cl1 session client exchange (webcrypto)';

/** The floor: one encrypt and one decrypt of the same 1 KiB with the same key, a fresh IV each. */
function barePair(): () => Buffer {
  const key = createSecretKey(randomBytes(32));
  return () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ciphertext = cipher.update(body);
    cipher.final();
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(cipher.getAuthTag());
    const plaintext = decipher.update(ciphertext);
    decipher.final();
    return plaintext;
  };
}

interface Answered {
  readonly sealed: SealedClientRequest;
  readonly response: Uint8Array;
}

function answer(server: ServerProtocol, sealed: SealedClientRequest): Answered {
  return {
    sealed,
    response: now(now(server.openRequest(sealed.message, binding)).sealResponse(response)),
  };
}

export const session: BenchGroup = {
  name: 'session',
  title: 'Session message, 1 KiB each way',
  description:
    'Server CPU for one request inside a session (session lookup, AES-256-GCM open, replay window, ' +
    'AES-256-GCM seal of the response) against a bare node:crypto AES-256-GCM encrypt + decrypt of ' +
    'the same 1 KiB in the same run: everything cl1 adds on top of the symmetric floor. ' +
    'Plus the client side (sealRequest + openResponse) on each backend.',

  async setup() {
    const { server, nodeClient, webClient } = await cl1Fixture();
    const nodeSession: ClientSession = await openSession(server, nodeClient);
    const webSession: ClientSession = await openSession(server, webClient);

    let serverMessages: Uint8Array[] = [];
    const cl1Server: Variant = {
      name: CL1_SERVER,
      versus: BARE,
      targets: [ratioAtMost(2, 'within 2× of the bare pair')],
      // Counters only grow across batches, so the server's replay window accepts each message once.
      prepare: (n) => {
        serverMessages = Array.from(
          { length: n },
          () => now(nodeSession.sealRequest(binding, request)).message,
        );
      },
      operation: {
        sync: (i) => now(server.openRequest(serverMessages[i] as Uint8Array, binding)).sealResponse(response),
      },
    };

    let nodeAnswered: Answered[] = [];
    let webAnswered: Answered[] = [];
    const nodeClientVariant: Variant = {
      name: CL1_CLIENT_NODE,
      prepare: (n) => {
        nodeAnswered = Array.from({ length: n }, () =>
          answer(server, now(nodeSession.sealRequest(binding, request))),
        );
      },
      operation: {
        sync: (i) => {
          now(nodeSession.sealRequest(binding, request));
          const { sealed, response: message } = nodeAnswered[i] as Answered;
          return now(sealed.openResponse(message, response.status));
        },
      },
    };
    const webClientVariant: Variant = {
      name: CL1_CLIENT_WEB,
      versus: CL1_CLIENT_NODE,
      prepare: async (n) => {
        webAnswered = [];
        for (let i = 0; i < n; i++)
          webAnswered.push(answer(server, await webSession.sealRequest(binding, request)));
      },
      operation: {
        async: async (i) => {
          await webSession.sealRequest(binding, request);
          const { sealed, response: message } = webAnswered[i] as Answered;
          return await sealed.openResponse(message, response.status);
        },
      },
    };

    return {
      variants: [
        { name: BARE, operation: { sync: barePair() } },
        cl1Server,
        nodeClientVariant,
        webClientVariant,
      ],
      notes: [
        `${BARE}: createCipheriv + update + final + getAuthTag, then createDecipheriv + setAuthTag + update + final, one KeyObject, \`randomBytes(12)\` IV per operation, no AAD.`,
        `${CL1_SERVER}: \`server.openRequest(message, binding)\` + \`opened.sealResponse({status: 200, 1 KiB})\` with the default in-memory session store; messages sealed by the session's client before each batch, untimed.`,
        'client rows: `session.sealRequest` of 1 KiB plus `openResponse` of a 1 KiB response prepared (untimed) for an earlier request of the same session.',
      ],
    };
  },
};
