import { fromBase64Url, type SealedClientRequest } from '@cipherlayer/core';
import { binding, body, cl1Fixture, now, request, response } from '../fixtures.js';
import { type BenchGroup, cpuAtMost, ratioAtMost, type Variant } from '../group.js';
import { createHpkeCoreServer } from '../reference/hpke-core-server.js';

const HPKE_CORE = '@hpke/core server exchange (Web Crypto)';
const CL1_SERVER = 'cl1 server exchange (node:crypto)';
const CL1_CLIENT_NODE = 'cl1 client exchange (node:crypto)';
const CL1_CLIENT_WEB = 'cl1 client exchange (webcrypto)';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export const stateless: BenchGroup = {
  name: 'stateless',
  title: 'Stateless request and response, 1 KiB each way',
  description:
    'Server CPU for one stateless exchange (openRequest + sealResponse: HPKE open under the server key, ' +
    'replay cache, RFC 9458 response key, AES-256-GCM seal) against the same exchange written on ' +
    '@hpke/core in the same run; and the client side (sealRequest + openResponse) on each backend.',

  async setup() {
    const { server, key, nodeClient, webClient } = await cl1Fixture();
    const hpke = await createHpkeCoreServer(fromBase64Url(key.toPrivateJwk().d), key.publicKey);

    // Both servers do the same work on the same bytes: check it once, untimed.
    const probe = now(nodeClient.sealRequest(binding, request));
    const reference = await hpke.exchange(probe.message, binding, response);
    if (!sameBytes(reference.body, body)) throw new Error('@hpke/core opened another body than was sealed');
    const opened = await probe.openResponse(reference.response, response.status);
    if (!sameBytes(opened.body, body)) throw new Error('the cl1 client did not read the @hpke/core response');

    /** Fresh requests for each batch: the replay cache accepts each request once. */
    const sealRequests = (count: number) =>
      Array.from({ length: count }, () => now(nodeClient.sealRequest(binding, request)).message);

    let hpkeMessages: Uint8Array[] = [];
    let cl1Messages: Uint8Array[] = [];
    const hpkeServer: Variant = {
      name: HPKE_CORE,
      prepare: (n) => {
        hpkeMessages = sealRequests(n);
      },
      operation: { async: (i) => hpke.exchange(hpkeMessages[i] as Uint8Array, binding, response) },
    };
    const cl1Server: Variant = {
      name: CL1_SERVER,
      versus: HPKE_CORE,
      targets: [cpuAtMost(250), ratioAtMost(0.2, '≥ 5× less CPU than @hpke/core')],
      prepare: (n) => {
        cl1Messages = sealRequests(n);
      },
      operation: {
        sync: (i) => now(server.openRequest(cl1Messages[i] as Uint8Array, binding)).sealResponse(response),
      },
    };

    /**
     * The client's cost is one sealRequest and one openResponse. The response
     * must answer a request this client sealed, so each batch prepares
     * request/response pairs (untimed, with the server's work in them); the
     * timed operation seals a new request and opens a prepared response.
     */
    interface Answered {
      readonly sealed: SealedClientRequest;
      readonly response: Uint8Array;
    }
    const answer = (sealed: SealedClientRequest): Answered => ({
      sealed,
      response: now(now(server.openRequest(sealed.message, binding)).sealResponse(response)),
    });
    let nodeAnswered: Answered[] = [];
    let webAnswered: Answered[] = [];
    const nodeClientVariant: Variant = {
      name: CL1_CLIENT_NODE,
      prepare: (n) => {
        nodeAnswered = Array.from({ length: n }, () => answer(now(nodeClient.sealRequest(binding, request))));
      },
      operation: {
        sync: (i) => {
          now(nodeClient.sealRequest(binding, request));
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
        for (let i = 0; i < n; i++) webAnswered.push(answer(await webClient.sealRequest(binding, request)));
      },
      operation: {
        async: async (i) => {
          await webClient.sealRequest(binding, request);
          const { sealed, response: message } = webAnswered[i] as Answered;
          return await sealed.openResponse(message, response.status);
        },
      },
    };

    return {
      variants: [hpkeServer, cl1Server, nodeClientVariant, webClientVariant],
      notes: [
        `${CL1_SERVER}: \`server.openRequest(message, binding)\` then \`opened.sealResponse({status: 200, 1 KiB})\`, with the default in-memory replay cache (real inserts); requests are sealed by a node:crypto client before each batch, untimed.`,
        `${HPKE_CORE}: the same exchange on @hpke/core (bench/src/reference/hpke-core-server.ts): createRecipientContext + open, export-based RFC 9458 response key (two HKDF calls) + AES-256-GCM seal; its output opens with the cl1 client (checked before timing). No replay cache or timestamp check.`,
        `client rows: \`client.sealRequest\` of a 1 KiB request plus \`openResponse\` of a 1 KiB response prepared (untimed) for an earlier request of the same client.`,
      ],
    };
  },
};
