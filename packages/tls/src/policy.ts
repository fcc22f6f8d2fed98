import { constants } from 'node:crypto';
import { configError } from './lib/options.js';

/**
 * The TLS policy every server and agent of this package uses. TLS 1.0 and
 * 1.1 are refused (RFC 8996 deprecates them); TLS 1.3 is negotiated whenever
 * the peer has it. For TLS 1.2 only ECDHE key exchange with AEAD ciphers
 * (forward secrecy, no CBC, no RSA key transport, no SHA-1 MACs): Mozilla's
 * "intermediate" list without the finite-field DHE suites.
 */

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

export const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1.2', 'TLSv1.3'];
export const DEFAULT_MIN_VERSION: TlsVersion = 'TLSv1.2';
export const MAX_VERSION: TlsVersion = 'TLSv1.3';

/** TLS 1.3 suites: all AEAD by construction. Node enables TLS 1.3 only if the list names some. */
export const TLS13_CIPHER_SUITES: readonly string[] = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
];

/** TLS 1.2 suites: ECDHE (forward secrecy) and AEAD only. */
export const TLS12_CIPHERS: readonly string[] = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
];

export const CIPHERS = [...TLS13_CIPHER_SUITES, ...TLS12_CIPHERS].join(':');

/** Key exchange groups, best first. */
export const ECDH_CURVES = 'X25519:P-256:P-384';

/**
 * No renegotiation (a CPU denial-of-service lever in TLS 1.2, and absent from
 * 1.3) and no compression (CRIME).
 */
export const SECURE_OPTIONS = constants.SSL_OP_NO_RENEGOTIATION | constants.SSL_OP_NO_COMPRESSION;

export function minVersionOption(where: string, value: unknown): TlsVersion {
  if (value === undefined) return DEFAULT_MIN_VERSION;
  if (!TLS_VERSIONS.includes(value as TlsVersion))
    throw configError(
      `${where} minVersion must be "TLSv1.2" or "TLSv1.3"; TLS 1.0 and 1.1 are deprecated (RFC 8996) and refused`,
    );
  return value as TlsVersion;
}

/** The protocol and cipher settings shared by servers and clients. */
export function protocolOptions(minVersion: TlsVersion) {
  return {
    minVersion,
    maxVersion: MAX_VERSION,
    ciphers: CIPHERS,
    ecdhCurve: ECDH_CURVES,
    secureOptions: SECURE_OPTIONS,
  } as const;
}
