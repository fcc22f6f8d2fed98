import { generateKeyPairSync } from 'node:crypto';
import type { ClientProtocol, ServerProtocol } from '@cipherlayer/core';
import { cl1Fixture, handshakeBinding, now } from '../fixtures.js';
import { type BenchGroup, cpuBelow, type Variant } from '../group.js';

const RSA = 'RSA-2048 key generation (seed 001, once per session)';
const CL1_SERVER = 'cl1 server handshake (node:crypto)';
const CL1_CLIENT_NODE = 'cl1 client handshake (node:crypto)';
const CL1_CLIENT_WEB = 'cl1 client handshake (webcrypto)';

type Hello = Awaited<ReturnType<ClientProtocol['startHandshake']>>;

interface Answered {
  readonly hello: Hello;
  readonly response: Uint8Array;
}

function answer(server: ServerProtocol, hello: Hello): Answered {
  return { hello, response: now(server.handshake(hello.message, handshakeBinding)).response };
}

export const handshake: BenchGroup = {
  name: 'handshake',
  title: 'Session handshake',
  description:
    'Server CPU per handshake (HPKE open of the client ephemeral key, a server ephemeral key, ' +
    'ephemeral–ephemeral X25519, session key derivation, sealed grant, session saved) against ' +
    'the RSA-2048 key pair that seed 001 generates for every session. Plus the client side ' +
    '(startHandshake + finish) on each backend.',

  async setup(mode) {
    const { server, nodeClient, webClient } = await cl1Fixture();

    let hellos: Uint8Array[] = [];
    const cl1Server: Variant = {
      name: CL1_SERVER,
      versus: RSA,
      targets: [cpuBelow(500)],
      prepare: (n) => {
        hellos = Array.from({ length: n }, () => now(nodeClient.startHandshake(handshakeBinding)).message);
      },
      operation: { sync: (i) => now(server.handshake(hellos[i] as Uint8Array, handshakeBinding)) },
    };

    let nodeAnswered: Answered[] = [];
    let webAnswered: Answered[] = [];
    const nodeClientVariant: Variant = {
      name: CL1_CLIENT_NODE,
      versus: RSA,
      prepare: (n) => {
        nodeAnswered = Array.from({ length: n }, () =>
          answer(server, now(nodeClient.startHandshake(handshakeBinding))),
        );
      },
      operation: {
        sync: (i) => {
          now(nodeClient.startHandshake(handshakeBinding));
          const { hello, response } = nodeAnswered[i] as Answered;
          return now(hello.finish(response, 200));
        },
      },
    };
    const webClientVariant: Variant = {
      name: CL1_CLIENT_WEB,
      versus: CL1_CLIENT_NODE,
      prepare: async (n) => {
        webAnswered = [];
        for (let i = 0; i < n; i++)
          webAnswered.push(answer(server, await webClient.startHandshake(handshakeBinding)));
      },
      operation: {
        async: async (i) => {
          await webClient.startHandshake(handshakeBinding);
          const { hello, response } = webAnswered[i] as Answered;
          return await hello.finish(response, 200);
        },
      },
    };

    const rsa: Variant = {
      name: RSA,
      // About 160 ms each, and very variable (prime search): a few per round.
      maxIterations: mode.name === 'quick' ? 1 : 3,
      operation: { sync: () => generateKeyPairSync('rsa', { modulusLength: 2048 }) },
    };

    return {
      variants: [rsa, cl1Server, nodeClientVariant, webClientVariant],
      notes: [
        `${CL1_SERVER}: \`server.handshake(message, binding)\` with the default in-memory replay cache and session store; handshake requests made by a node:crypto client before each batch, untimed.`,
        `${RSA}: \`generateKeyPairSync('rsa', { modulusLength: 2048 })\`, ${mode.name === 'quick' ? 1 : 3} per round; its spread is wide because prime search time varies.`,
        'client rows: `client.startHandshake` plus `finish` of a handshake response prepared (untimed) for an earlier handshake request of the same client.',
      ],
    };
  },
};
