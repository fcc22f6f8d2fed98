import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { CipherlayerError } from '@cipherlayer/core';
import type { Pool, PoolConfig } from 'pg';
import { configError, isPlainObject, isProductionEnvironment } from '../lib/options.js';

/**
 * A PostgreSQL connection that is encrypted and authenticated in production:
 * seed 003's third mistake is encrypting fields and then sending the queries
 * (and any plaintext column) over a plain TCP connection. In production this
 * refuses everything that would connect without TLS or without verifying
 * the server's certificate, unless told explicitly.
 */

export interface PostgresTlsOptions {
  /** CA certificate(s) that signed the server's certificate (PEM). Without it, Node's default CAs. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate and key, for mutual TLS. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** The name to check the certificate against, when it is not the host connected to. */
  readonly servername?: string;
  /** Default "TLSv1.2". */
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Only outside production, or with allowInsecureTransport. */
  readonly rejectUnauthorized?: boolean;
}

export interface PostgresConnectionOptions extends Omit<PoolConfig, 'ssl'> {
  /** TLS settings; `false` for none (refused in production). */
  readonly ssl?: PostgresTlsOptions | false;
  /** Whether the production rules apply (default: NODE_ENV === "production"). */
  readonly production?: boolean;
  /** Lets production connect without TLS or without verification. Say why in your code when you set it. */
  readonly allowInsecureTransport?: boolean;
}

/** sslmode values that connect without verifying the server (libpq meanings; "require" does not check the certificate). */
const UNVERIFIED_SSLMODES = new Set(['disable', 'allow', 'prefer', 'require', 'no-verify', 'verify-ca']);
/** Connection string parameters that pg would turn into TLS settings behind our back. */
const SSL_PARAMETERS = [
  'ssl',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'sslpassword',
  'uselibpqcompat',
];

const insecure = (what: string) =>
  configError(
    `${what} is refused when NODE_ENV=production: the connection to PostgreSQL must use TLS and verify the server ` +
      'certificate (ssl: { ca }, sslmode=verify-full). Set allowInsecureTransport: true only if something else protects that link',
  );

interface ParsedUrl {
  readonly connectionString: string;
  readonly sslmode: string | undefined;
  readonly sslrootcert: string | undefined;
}

function parseConnectionString(text: string): ParsedUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new CipherlayerError('ERR_CONFIG', { detail: 'connectionString is not a postgres:// URL', cause });
  }
  const sslmode =
    url.searchParams.get('sslmode') ?? (url.searchParams.get('ssl') === 'false' ? 'disable' : undefined);
  const sslrootcert = url.searchParams.get('sslrootcert') ?? undefined;
  for (const name of SSL_PARAMETERS) url.searchParams.delete(name);
  return { connectionString: url.toString(), sslmode: sslmode ?? undefined, sslrootcert };
}

/**
 * The `pg` PoolConfig to connect with. In production: TLS required
 * (`ssl: { rejectUnauthorized: true, ca, minVersion: 'TLSv1.2' }`), and
 * `ssl: false`, `rejectUnauthorized: false` or an sslmode other than
 * verify-full in the connection string are refused. TLS parameters are taken
 * out of the connection string so they cannot override these settings.
 */
export function postgresConfig(options: PostgresConnectionOptions): PoolConfig {
  if (!isPlainObject(options as unknown))
    throw configError('postgresConfig needs options: { connectionString } or { host, ... }');
  const { ssl, production = isProductionEnvironment(), allowInsecureTransport = false, ...rest } = options;
  const strict = production && !allowInsecureTransport;
  const config: PoolConfig = { ...rest };

  let sslmode: string | undefined;
  let rootCert: string | undefined;
  if (typeof rest.connectionString === 'string') {
    const parsed = parseConnectionString(rest.connectionString);
    config.connectionString = parsed.connectionString;
    sslmode = parsed.sslmode;
    rootCert = parsed.sslrootcert;
  }
  if (strict && sslmode !== undefined && UNVERIFIED_SSLMODES.has(sslmode))
    throw insecure(`sslmode=${sslmode}`);
  if (strict && ssl === false) throw insecure('ssl: false');
  if (strict && ssl && ssl.rejectUnauthorized === false) throw insecure('ssl.rejectUnauthorized: false');

  if (ssl === false || (!strict && ssl === undefined && (sslmode === undefined || sslmode === 'disable'))) {
    // Development without TLS (a local database), or an explicit choice.
    config.ssl = false;
    return config;
  }
  const tls: ConnectionOptions = {
    // Outside production, sslmode=no-verify keeps its meaning; everything else verifies.
    rejectUnauthorized: ssl?.rejectUnauthorized ?? sslmode !== 'no-verify',
    minVersion: ssl?.minVersion ?? 'TLSv1.2',
  };
  const ca = ssl?.ca ?? (rootCert === undefined ? undefined : readFileSync(rootCert));
  if (ca !== undefined) tls.ca = ca as ConnectionOptions['ca'];
  if (ssl?.cert !== undefined) tls.cert = ssl.cert;
  if (ssl?.key !== undefined) tls.key = ssl.key;
  if (ssl?.servername !== undefined) tls.servername = ssl.servername;
  config.ssl = tls;
  return config;
}

/** A `pg.Pool` made from postgresConfig(options); `pg` is loaded only when this is called. */
export async function connectPostgres(options: PostgresConnectionOptions): Promise<Pool> {
  const config = postgresConfig(options);
  const { default: pg } = await import('pg');
  return new pg.Pool(config);
}
