import type { ServerOptions } from 'node:https';
import { configError, onlyKnownKeys, optionsObject } from '../lib/options.js';
import { caBundle, certificateWithKey, type PemInput } from '../lib/pem.js';
import { minVersionOption, protocolOptions, type TlsVersion } from '../policy.js';

/** TLS settings of an HTTPS server; everything else is the policy of policy.ts. */
export interface SecureServerOptions {
  /** The server certificate chain in PEM, leaf first. */
  readonly cert: PemInput;
  /** Its private key in PEM. */
  readonly key: PemInput;
  /** For an encrypted key. */
  readonly passphrase?: string;
  /** "TLSv1.2" (default) or "TLSv1.3". Nothing older is accepted. */
  readonly minVersion?: TlsVersion;
  /**
   * Mutual TLS: the CA (or CAs) that sign client certificates. When set,
   * every client must present a certificate that this CA signed, that is
   * valid now and made for client authentication; the handshake fails
   * otherwise, before any HTTP is read.
   */
  readonly clientCa?: PemInput | readonly PemInput[];
}

export const SERVER_TLS_KEYS = ['cert', 'key', 'passphrase', 'minVersion', 'clientCa'] as const;

const EXAMPLE = "{ cert: readFileSync('server.pem'), key: readFileSync('server.key') }";

/** Checks the TLS part of server options; `extra` names further keys the caller handles itself. */
export function checkServerTlsOptions(
  where: string,
  options: unknown,
  extra: readonly string[] = [],
): ServerOptions {
  const o = optionsObject(where, options, EXAMPLE);
  onlyKnownKeys(where, o, [...SERVER_TLS_KEYS, ...extra]);
  if (o.cert === undefined || o.key === undefined)
    throw configError(`${where} needs cert and key: ${EXAMPLE}`);
  if (o.passphrase !== undefined && typeof o.passphrase !== 'string')
    throw configError(`${where} passphrase must be a string`);
  const passphrase = o.passphrase as string | undefined;
  const { cert, key } = certificateWithKey(where, o.cert, o.key, passphrase, Date.now());
  const tls: ServerOptions = {
    ...protocolOptions(minVersionOption(where, o.minVersion)),
    cert,
    key: key.export({ type: 'pkcs8', format: 'pem' }),
  };
  if (o.clientCa !== undefined) {
    tls.ca = caBundle(`${where} clientCa`, o.clientCa);
    // Both are needed: requestCert asks for a certificate, rejectUnauthorized refuses none or a bad one.
    tls.requestCert = true;
    tls.rejectUnauthorized = true;
  }
  return tls;
}

/**
 * The options for `https.createServer`, or for Fastify's `https` option,
 * with this package's TLS policy. Checked now: a wrong path, a key that is
 * not the certificate's, an expired certificate or an unsafe setting fails
 * here with ERR_CONFIG, not at the first handshake.
 */
export function secureServerOptions(options: SecureServerOptions): ServerOptions {
  return checkServerTlsOptions('secureServerOptions', options);
}
