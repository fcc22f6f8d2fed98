import type { ConnectionOptions } from 'node:tls';
import { configError, onlyKnownKeys, optionsObject } from '../lib/options.js';
import { caBundle, certificateWithKey, type PemInput } from '../lib/pem.js';
import { minVersionOption, protocolOptions, type TlsVersion } from '../policy.js';

/** How a client verifies servers, and which certificate it presents for mutual TLS. */
export interface ClientTlsOptions {
  /**
   * The CA (or CAs) that sign the servers' certificates: your internal CA.
   * Default: Node's bundled public roots. Verification is always on.
   */
  readonly ca?: PemInput | readonly PemInput[];
  /** Mutual TLS: the client certificate chain in PEM, leaf first (with `key`). */
  readonly cert?: PemInput;
  readonly key?: PemInput;
  readonly passphrase?: string;
  /**
   * The name the server certificate must carry (and the SNI sent), when it
   * differs from the host in the URL, e.g. connecting to an IP address.
   */
  readonly servername?: string;
  readonly minVersion?: TlsVersion;
  /** Only `true` is accepted; it is the default. See the error for `false`. */
  readonly rejectUnauthorized?: true;
}

export const CLIENT_TLS_KEYS = [
  'ca',
  'cert',
  'key',
  'passphrase',
  'servername',
  'minVersion',
  'rejectUnauthorized',
] as const;

/**
 * Seed 003, mistake 2: `verify=False` / `rejectUnauthorized: false` makes the
 * connection encrypted but unauthenticated, so anyone on the path can be the
 * server. It is refused, never passed on.
 */
export const REJECT_UNAUTHORIZED_REFUSED =
  'rejectUnauthorized: false turns off certificate verification, so any man in the middle is accepted. ' +
  'Add the CA that signed the server certificate with `ca` instead (for development: the CA of `cipherlayer certs dev`)';

/** The checked options: only what was given, never a key set to undefined (undici's types are exact). */
export type CheckedClientTls = ReturnType<typeof protocolOptions> & {
  rejectUnauthorized: true;
  ca?: string[];
  cert?: string;
  key?: string | Buffer;
  servername?: string;
};

export function checkClientTlsOptions(
  where: string,
  options: unknown,
  extra: readonly string[] = [],
): CheckedClientTls {
  const o = optionsObject(where, options ?? {}, "{ ca: readFileSync('ca.pem') }");
  onlyKnownKeys(where, o, [...CLIENT_TLS_KEYS, ...extra]);
  if (o.rejectUnauthorized !== undefined && o.rejectUnauthorized !== true)
    throw configError(`${where}: ${REJECT_UNAUTHORIZED_REFUSED}`);
  if (process.env.NODE_TLS_REJECT_UNAUTHORIZED === '0')
    process.emitWarning(
      'NODE_TLS_REJECT_UNAUTHORIZED=0 is set; cipherlayer agents verify certificates anyway',
      'CipherlayerWarning',
    );
  const tls: CheckedClientTls = {
    ...protocolOptions(minVersionOption(where, o.minVersion)),
    // Explicit: an explicit true also wins over NODE_TLS_REJECT_UNAUTHORIZED=0.
    rejectUnauthorized: true,
  };
  if (o.ca !== undefined) tls.ca = caBundle(`${where} ca`, o.ca);
  if ((o.cert === undefined) !== (o.key === undefined))
    throw configError(`${where}: a client certificate needs both cert and key`);
  if (o.passphrase !== undefined && typeof o.passphrase !== 'string')
    throw configError(`${where} passphrase must be a string`);
  if (o.cert !== undefined) {
    const pair = certificateWithKey(where, o.cert, o.key, o.passphrase as string | undefined, Date.now());
    tls.cert = pair.cert;
    tls.key = pair.key.export({ type: 'pkcs8', format: 'pem' });
  }
  if (o.servername !== undefined) {
    if (typeof o.servername !== 'string' || o.servername.length === 0)
      throw configError(`${where} servername must be a host name`);
    tls.servername = o.servername;
  }
  return tls;
}

/**
 * The checked TLS options for `tls.connect` or `https.request`, with this
 * package's policy and verification always on.
 */
export function clientTlsOptions(options: ClientTlsOptions = {}): ConnectionOptions {
  return checkClientTlsOptions('clientTlsOptions', options);
}
