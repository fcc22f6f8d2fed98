import { CipherlayerError } from '@cipherlayer/core';

/**
 * How the encryption context is bound by Vault:
 * - `derived` (default): the transit key is created with `derived=true` and
 *   the context is sent as `context`, so Vault derives a key per context. It
 *   works on every Vault version, and `transit/rewrap` accepts it, so
 *   rotation never brings the data key out of Vault.
 * - `associated-data`: a plain AEAD key (aes256-gcm96, …) with the context
 *   as `associated_data` (added in hashicorp/vault#17638). Vault's rewrap
 *   endpoint does not take associated data (hashicorp/vault#29532), so
 *   `rewrap` here is decrypt then encrypt, the data key passing through this
 *   process in between.
 */
export type VaultContextBinding = 'derived' | 'associated-data';

export interface VaultTlsOptions {
  /** CA certificate(s) (PEM) that signed Vault's certificate, when not a public CA. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate (PEM) for Vault listeners that require mutual TLS. */
  readonly cert?: string | Buffer;
  /** Private key (PEM) of the client certificate. */
  readonly key?: string | Buffer;
  /** Name to verify in Vault's certificate when it differs from the address host. */
  readonly servername?: string;
}

export interface VaultTransitKeyringOptions {
  /** Vault's address, e.g. `https://vault.internal:8200` (default VAULT_ADDR). http only on loopback. */
  readonly address?: string;
  /** A Vault token (default VAULT_TOKEN). Sent as X-Vault-Token; never logged or put in an error. */
  readonly token?: string;
  /** Vault Enterprise namespace, sent as X-Vault-Namespace (default VAULT_NAMESPACE). */
  readonly namespace?: string;
  /** Where the transit engine is mounted (default `transit`). */
  readonly mount?: string;
  /** The transit key's name. */
  readonly keyName: string;
  /** See {@link VaultContextBinding} (default `derived`). */
  readonly contextBinding?: VaultContextBinding;
  readonly tls?: VaultTlsOptions;
  /** Time allowed for one request, response included (default 5000 ms). */
  readonly timeoutMs?: number;
  /** How long the key's settings and latest version are trusted before they are read again (default 60 000 ms). */
  readonly kekIdCacheMs?: number;
}

export interface ResolvedVaultOptions {
  readonly address: URL;
  readonly token: string;
  readonly namespace: string | undefined;
  readonly mount: string;
  readonly keyName: string;
  readonly contextBinding: VaultContextBinding;
  readonly tls: VaultTlsOptions;
  readonly timeoutMs: number;
  readonly kekIdCacheMs: number;
}

const known = new Set([
  'address',
  'token',
  'namespace',
  'mount',
  'keyName',
  'contextBinding',
  'tls',
  'timeoutMs',
  'kekIdCacheMs',
]);
const knownTls = new Set(['ca', 'cert', 'key', 'servername']);
/** Vault's own rule for transit key names. */
const keyNamePattern = /^\w(?:[\w.@-]*\w)?$/;
const pathPattern = /^[\w.-]+(?:\/[\w.-]+)*$/;

function fail(detail: string): never {
  throw new CipherlayerError('ERR_CONFIG', { detail: `VaultTransitKeyring: ${detail}` });
}

/** Checks every option once, at construction; messages say what to change and never echo the token. */
export function resolveVaultOptions(
  options: VaultTransitKeyringOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedVaultOptions {
  if (typeof options !== 'object' || options === null) fail('pass an options object');
  for (const key of Object.keys(options)) {
    if (!known.has(key)) fail(`unknown option "${key}"; known options are ${[...known].join(', ')}`);
  }
  const address = parseAddress(options.address ?? env.VAULT_ADDR);
  const token = options.token ?? env.VAULT_TOKEN;
  // Printable ASCII only: the token goes into a header.
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
    fail('no usable token: set the token option or VAULT_TOKEN (printable ASCII, no spaces)');
  }
  const namespace = options.namespace ?? env.VAULT_NAMESPACE;
  if (
    namespace !== undefined &&
    (typeof namespace !== 'string' || !pathPattern.test(namespace.replace(/\/$/, '')))
  ) {
    fail('namespace must be a Vault namespace path such as "team-a" or "team-a/records"');
  }
  const mount = (options.mount ?? 'transit').replace(/^\/|\/$/g, '');
  if (!pathPattern.test(mount)) fail('mount must be the transit mount path, such as "transit"');
  const { keyName } = options;
  if (typeof keyName !== 'string' || !keyNamePattern.test(keyName)) {
    fail('set keyName to the transit key name (letters, digits, _ . @ -)');
  }
  const contextBinding = options.contextBinding ?? 'derived';
  if (contextBinding !== 'derived' && contextBinding !== 'associated-data') {
    fail('contextBinding must be "derived" or "associated-data"');
  }
  const tls = options.tls ?? {};
  if (typeof tls !== 'object' || tls === null) fail('tls must be an object with ca, cert, key or servername');
  for (const key of Object.keys(tls)) {
    if (!knownTls.has(key))
      fail(`unknown tls option "${key}"; known tls options are ${[...knownTls].join(', ')}`);
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) fail('tls.cert and tls.key go together');
  if (address.protocol === 'http:' && Object.keys(tls).length > 0)
    fail('tls options need an https:// address');
  const timeoutMs = options.timeoutMs ?? 5_000;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 1) {
    fail('timeoutMs must be a number of milliseconds, 1 or more');
  }
  const kekIdCacheMs = options.kekIdCacheMs ?? 60_000;
  if (typeof kekIdCacheMs !== 'number' || !Number.isFinite(kekIdCacheMs) || kekIdCacheMs < 0) {
    fail('kekIdCacheMs must be a number of milliseconds, 0 or more');
  }
  return {
    address,
    token,
    namespace: namespace === undefined || namespace === '' ? undefined : namespace,
    mount,
    keyName,
    contextBinding,
    tls,
    timeoutMs,
    kekIdCacheMs,
  };
}

function parseAddress(address: unknown): URL {
  if (typeof address !== 'string' || address === '') fail("set address (or VAULT_ADDR) to Vault's URL");
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    fail('address must be an absolute URL such as "https://vault.internal:8200"');
  }
  // The token travels in every request: plain http only where it cannot leave the machine.
  const loopback =
    url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    fail('address must use https:// (plain http is allowed only on loopback addresses)');
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    fail('address must not carry credentials, a query or a fragment');
  }
  return url;
}
