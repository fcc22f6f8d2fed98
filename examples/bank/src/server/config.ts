import { isAbsolute, resolve } from 'node:path';

/** Everything the bank reads from its environment, read once at startup. */
export interface BankConfig {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Where the first run writes its secrets, the local keyring and (without DATABASE_URL) the PGlite database. */
  readonly dataDir: string;
  /** The page built by Vite (`vite build`). */
  readonly webDir: string;
  /** PostgreSQL instead of PGlite. */
  readonly databaseUrl: string | undefined;
  /** The SQL schema of the bank's tables and of the records key tables. */
  readonly databaseSchema: string;
  /** Redis for cl1 sessions, replay windows and the profiles' state, instead of this process's memory. */
  readonly redisUrl: string | undefined;
  /** Prefix of the bank's Redis keys (instances of one bank share it). */
  readonly redisPrefix: string;
  /** The local keyring's master keys ("id:base64url,…"), instead of the key file in the data folder. */
  readonly masterKeys: string | undefined;
  /** Lifetime of a cl1 session (the client handshakes again after it). */
  readonly sessionTtlMs: number;
  /** Lifetime of a login (the cookie). */
  readonly loginTtlMs: number;
  /** For tests: the servers' clock. */
  readonly clock?: () => number;
}

type Environment = Readonly<Record<string, string | undefined>>;

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * The configuration from environment variables (README, "Configuration").
 * Relative folders are taken from `packageDir`, the example's own folder, so
 * `npm start` from the repository root and from examples/bank agree.
 */
export function configFromEnvironment(env: Environment, packageDir: string): BankConfig {
  const folder = (value: string | undefined, fallback: string) => {
    const path = nonEmpty(value) ?? fallback;
    return isAbsolute(path) ? path : resolve(packageDir, path);
  };
  const schema = nonEmpty(env.BANK_DB_SCHEMA) ?? 'bank';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error('BANK_DB_SCHEMA must be a lower-case SQL identifier (letters, digits, "_")');
  return {
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    port: integer(env, 'PORT', 3000, 0, 65_535),
    dataDir: folder(env.BANK_DATA_DIR, '.data'),
    webDir: folder(env.BANK_WEB_DIR, 'dist/web'),
    databaseUrl: nonEmpty(env.DATABASE_URL),
    databaseSchema: schema,
    redisUrl: nonEmpty(env.REDIS_URL),
    redisPrefix: nonEmpty(env.BANK_REDIS_PREFIX) ?? 'bank:',
    masterKeys: nonEmpty(env.CIPHERLAYER_MASTER_KEYS),
    sessionTtlMs: integer(env, 'BANK_SESSION_TTL_MS', 15 * 60_000, 1000, 24 * 3_600_000),
    loginTtlMs: integer(env, 'BANK_LOGIN_TTL_MS', 8 * 3_600_000, 60_000, 30 * 24 * 3_600_000),
  };
}
