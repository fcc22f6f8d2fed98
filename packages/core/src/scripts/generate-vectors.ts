/**
 * Writes the cl1 test vectors (spec/vectors/*.json) from fixed inputs.
 *
 *   npm run vectors
 *
 * The generator is pure: the clocks are constants and every random value a
 * party draws comes from a script (vectors/fixtures.ts), so two runs, and
 * runs on either backend, write the same bytes. The messages are produced by
 * the protocol code itself (ClientProtocol, ServerProtocol); the recorded
 * intermediates are recomputed step by step and checked against them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBackend } from '../backends/node.js';
import type { CryptoBackend } from '../lib/backend.js';
import { errorRegistry } from '../lib/errors.js';
import { bindingVectors } from './vectors/binding.js';
import { SUITE_FIXTURES } from './vectors/fixtures.js';
import { handshakeVector } from './vectors/handshake.js';
import { buildKeySet, keysVector } from './vectors/keys.js';
import { negativeVectors } from './vectors/negative.js';
import { replayWindowVectors } from './vectors/replay-window.js';
import { sessionVector } from './vectors/session.js';
import { statelessVector } from './vectors/stateless.js';
import type { HandshakeVector, SessionVector, StatelessVector } from './vectors/types.js';

/** Where the vectors live, relative to the repository root. */
export const VECTOR_DIR = 'spec/vectors';

const text = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Every vector file, by file name, as the exact text to write. */
export async function generateVectors(backend: CryptoBackend = nodeBackend): Promise<Map<string, string>> {
  const keySet = await buildKeySet(backend);
  const stateless: StatelessVector[] = [];
  const handshakes: HandshakeVector[] = [];
  const sessions: SessionVector[] = [];
  for (const fixture of SUITE_FIXTURES) {
    stateless.push(await statelessVector(backend, keySet, fixture));
    const handshake = await handshakeVector(backend, keySet, fixture);
    handshakes.push(handshake.vector);
    sessions.push(await sessionVector(backend, handshake));
  }
  const named = new Map<string, StatelessVector | HandshakeVector | SessionVector>([
    ...stateless.map((v) => [`stateless/${v.name}`, v] as const),
    ...handshakes.map((v) => [`handshake/${v.name}`, v] as const),
    ...sessions.map((v) => [`session/${v.name}`, v] as const),
  ]);
  const { bindings, statuses } = bindingVectors();

  const files = new Map<string, string>();
  files.set(
    'keys.json',
    text({
      description:
        'Server key set during a rotation: key configs, discovery document, application/ohttp-keys, pins, client key selection (spec/protocol.md, "Keys").',
      vectors: [await keysVector(backend, keySet)],
    }),
  );
  files.set(
    'binding.json',
    text({
      description:
        'Request binding bytes (method and target) and the status bytes of response associated data (spec/protocol.md, "Associated data").',
      vectors: bindings,
      statuses,
    }),
  );
  files.set(
    'stateless.json',
    text({
      description: 'Stateless request and response, one per suite (spec/protocol.md, "Stateless mode").',
      vectors: stateless,
    }),
  );
  files.set(
    'handshake.json',
    text({
      description:
        'Handshake request, grant and session key schedule, one per suite (spec/protocol.md, "Handshake").',
      vectors: handshakes,
    }),
  );
  files.set(
    'session.json',
    text({
      description:
        'Session requests and responses inside the session of the handshake vector of the same suite (spec/protocol.md, "Session messages").',
      vectors: sessions,
    }),
  );
  files.set(
    'replay-window.json',
    text({
      description:
        'Session replay window: verdict and serialized state after each counter (spec/protocol.md, "Replay").',
      vectors: replayWindowVectors(),
    }),
  );
  files.set(
    'negative.json',
    text({
      description:
        'Tampered, misdirected and malformed messages with the error code the receiver must answer (spec/vectors/README.md, "Negative vectors").',
      errors: errorRegistry,
      vectors: await negativeVectors({ backend, keySet, vectors: named }),
    }),
  );
  return files;
}

/** The repository root: this file is packages/core/{src,dist}/scripts/generate-vectors.{ts,js}. */
export function repositoryRoot(): string {
  return fileURLToPath(new URL('../../../../', import.meta.url));
}

async function main(): Promise<void> {
  const directory = join(repositoryRoot(), VECTOR_DIR);
  mkdirSync(directory, { recursive: true });
  for (const [name, content] of await generateVectors()) writeFileSync(join(directory, name), content);
  console.log(`wrote ${VECTOR_DIR}/*.json`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
