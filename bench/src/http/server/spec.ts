/**
 * What a server child process runs, sent to it over IPC. The AES key of the
 * floor and of seed 002 travels in the child's environment as `AES_KEY`
 * (hex), where seed 002 reads it.
 */

export type Framework = 'fastify' | 'express';

/**
 * - `plaintext`: the routes alone.
 * - `floor`: one bare AES-256-GCM seal of each answer (and open of a POST body) in a hook.
 * - `seed002`: seed 002's `{ data: base64(iv ‖ tag ‖ ciphertext) }` wrapper.
 * - `cl1`: @cipherlayer/server with its defaults (policy `require`, memory stores).
 * - `jwe`: seed 004, a compact JWE (ECDH-ES, A256GCM) decrypted from the `jwe` request header.
 */
export type ServerScheme = 'plaintext' | 'floor' | 'seed002' | 'cl1' | 'jwe';

export interface ServerSpec {
  readonly framework: Framework;
  readonly scheme: ServerScheme;
  /** `jwe` only: the server's EC private key, PKCS#8 PEM. */
  readonly jwePrivateKey?: string;
}

const FRAMEWORKS: readonly string[] = ['fastify', 'express'];
const SCHEMES: readonly string[] = ['plaintext', 'floor', 'seed002', 'cl1', 'jwe'];

/** The request header that carries seed 004's token on a GET. */
export const JWE_HEADER = 'jwe';

/** Checks what arrived over IPC, so a mistake fails the child at start-up with a message. */
export function parseServerSpec(value: unknown): ServerSpec {
  const spec = value as Partial<Record<keyof ServerSpec, unknown>> | null;
  if (typeof spec !== 'object' || spec === null) throw new Error('server spec: not an object');
  const { framework, scheme, jwePrivateKey } = spec;
  if (typeof framework !== 'string' || !FRAMEWORKS.includes(framework))
    throw new Error(`server spec: framework must be one of ${FRAMEWORKS.join(', ')}`);
  if (typeof scheme !== 'string' || !SCHEMES.includes(scheme))
    throw new Error(`server spec: scheme must be one of ${SCHEMES.join(', ')}`);
  if (scheme === 'jwe' && typeof jwePrivateKey !== 'string')
    throw new Error('server spec: scheme jwe needs jwePrivateKey (PKCS#8 PEM)');
  return {
    framework: framework as Framework,
    scheme: scheme as ServerScheme,
    ...(typeof jwePrivateKey === 'string' ? { jwePrivateKey } : {}),
  };
}
