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
 * - `rsa-session`, `static-key`, `profile-jwe`: the profiles of @cipherlayer/profiles (seeds 001, 002
 *   and 004), each with its defaults (compatible mode), mounted through @cipherlayer/server's adapter.
 */
export type ServerScheme =
  | 'plaintext'
  | 'floor'
  | 'seed002'
  | 'cl1'
  | 'jwe'
  | 'rsa-session'
  | 'static-key'
  | 'profile-jwe';

export interface ServerSpec {
  readonly framework: Framework;
  readonly scheme: ServerScheme;
  /** `jwe` and `profile-jwe`: the server's EC private key, PKCS#8 PEM. */
  readonly jwePrivateKey?: string;
  /** `rsa-session`: false to make each session's RSA key on the request path, as seed 001 does. Default true. */
  readonly rsaPool?: boolean;
}

const FRAMEWORKS: readonly string[] = ['fastify', 'express'];
const SCHEMES: readonly string[] = [
  'plaintext',
  'floor',
  'seed002',
  'cl1',
  'jwe',
  'rsa-session',
  'static-key',
  'profile-jwe',
];

/** The request header that carries seed 004's token on a GET. */
export const JWE_HEADER = 'jwe';
/** The request header of the jwe profile's token on a GET (its default). */
export const PROFILE_JWE_HEADER = 'cipherlayer-jwe';
/** Where the rsa-session profile creates sessions (its default). */
export const RSA_SESSION_PATH = '/.well-known/cipherlayer/rsa-session';
/** Body size limit of every app, every scheme alike: room for a 1 MiB document in any envelope. */
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/** Checks what arrived over IPC, so a mistake fails the child at start-up with a message. */
export function parseServerSpec(value: unknown): ServerSpec {
  const spec = value as Partial<Record<keyof ServerSpec, unknown>> | null;
  if (typeof spec !== 'object' || spec === null) throw new Error('server spec: not an object');
  const { framework, scheme, jwePrivateKey, rsaPool } = spec;
  if (typeof framework !== 'string' || !FRAMEWORKS.includes(framework))
    throw new Error(`server spec: framework must be one of ${FRAMEWORKS.join(', ')}`);
  if (typeof scheme !== 'string' || !SCHEMES.includes(scheme))
    throw new Error(`server spec: scheme must be one of ${SCHEMES.join(', ')}`);
  if ((scheme === 'jwe' || scheme === 'profile-jwe') && typeof jwePrivateKey !== 'string')
    throw new Error(`server spec: scheme ${scheme} needs jwePrivateKey (PKCS#8 PEM)`);
  if (rsaPool !== undefined && typeof rsaPool !== 'boolean')
    throw new Error('server spec: rsaPool must be a boolean');
  return {
    framework: framework as Framework,
    scheme: scheme as ServerScheme,
    ...(typeof jwePrivateKey === 'string' ? { jwePrivateKey } : {}),
    ...(typeof rsaPool === 'boolean' ? { rsaPool } : {}),
  };
}
