import { CipherlayerError } from '@cipherlayer/core';
import { type VaultResponse, VaultTransportError } from './http.js';

/** Which endpoint failed: a missing key is the stored data's problem on decrypt, the setup's on encrypt. */
export type VaultOperation = 'encrypt' | 'decrypt' | 'rewrap' | 'read key';

/** Certificate problems are fixed in configuration (tls.ca, servername), not by waiting. */
const tlsCodes = /^(ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_SSL_)/;

/** Alerts from Vault's side of the handshake: our client certificate is missing or not trusted. */
const serverRefusedUs =
  /^ERR_SSL_.*ALERT_(CERTIFICATE_REQUIRED|UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE)$/;

/** Vault's 400 texts that mean the key (version) is not there any more, not that the bytes are bad. */
const keyGone =
  /encryption key not found|policy not found|disallowed by policy \(too old\)|invalid key version/;

/** Vault's error strings, kept in `cause` for the operator's debugger and never in the message. */
function vaultCause(response: VaultResponse): Error {
  return new Error(`Vault answered ${response.status}: ${(response.body.errors ?? []).join('; ')}`);
}

export function transportFailure(cause: unknown, address: string): CipherlayerError {
  const code = cause instanceof VaultTransportError ? cause.code : undefined;
  if (code !== undefined && serverRefusedUs.test(code)) {
    return new CipherlayerError('ERR_CONFIG', {
      detail: `VaultTransitKeyring: ${address} refused the TLS client certificate (${code}); set tls.cert and tls.key to one its listener trusts`,
      cause,
    });
  }
  if (code !== undefined && tlsCodes.test(code)) {
    return new CipherlayerError('ERR_CONFIG', {
      detail: `VaultTransitKeyring: TLS verification of ${address} failed (${code}); set tls.ca to the CA that signed Vault's certificate, or tls.servername`,
      cause,
    });
  }
  return new CipherlayerError('ERR_STORE_UNAVAILABLE', { cause });
}

/**
 * Maps a Vault error response. `kekId` (or the key path) is the only
 * identifier in the message: never the token, never Vault's own text.
 */
export function responseFailure(
  response: VaultResponse,
  operation: VaultOperation,
  path: string,
  kekId: string,
): CipherlayerError {
  const { status } = response;
  const cause = vaultCause(response);
  const text = (response.body.errors ?? []).join('\n');
  const opens = operation === 'decrypt' || operation === 'rewrap';
  if (status === 401 || status === 403) {
    return new CipherlayerError('ERR_CONFIG', {
      detail: `VaultTransitKeyring: Vault denied ${operation} on ${path} (${status} permission denied); check the token, its policy and the namespace`,
      cause,
    });
  }
  if (status === 429 || status === 412 || status >= 500 || (status >= 300 && status < 400)) {
    // Sealed, standby, rate-limited, or a redirect to the active node, which is not followed with the token.
    return new CipherlayerError('ERR_STORE_UNAVAILABLE', { cause });
  }
  if (status === 404 || keyGone.test(text)) {
    if (opens) return new CipherlayerError('ERR_UNKNOWN_KEY', { detail: kekId, cause });
    return new CipherlayerError('ERR_CONFIG', {
      detail: `VaultTransitKeyring: no transit key at ${path}; check mount, keyName and namespace`,
      cause,
    });
  }
  if (opens) return new CipherlayerError('ERR_DECRYPT', { cause });
  return new CipherlayerError('ERR_CONFIG', {
    detail: `VaultTransitKeyring: Vault refused ${operation} on ${path} (${status}); check contextBinding against the key's settings`,
    cause,
  });
}
