import { booleanOption, isProductionEnvironment, onlyKnownKeys, optionsObject } from '../lib/options.js';
import { type HstsOptions, hstsHeaderValue } from '../server/hsts.js';
import { TrustedProxies } from './trusted-proxies.js';

export interface TransportGuardOptions {
  /** Refuse requests that did not arrive over TLS. Default: NODE_ENV === 'production'. */
  readonly production?: boolean;
  /**
   * The proxies that terminate TLS in front of this server, by address or
   * CIDR range. Their X-Forwarded-Proto is believed; nobody else's, and no
   * other header (Forwarded, X-Forwarded-Ssl, ...) is read.
   */
  readonly trustedProxies?: readonly string[];
  /** Strict-Transport-Security on requests that arrived over TLS; default one year in production. */
  readonly hsts?: HstsOptions | false;
}

/** What is known of how a request arrived. */
export interface ArrivalFacts {
  /** The socket this server reads is TLS. */
  readonly encrypted: boolean;
  /** The peer of that socket (the proxy, when there is one). */
  readonly remoteAddress: string | undefined;
  /** The X-Forwarded-Proto header as received (several headers joined with ", "). */
  readonly forwardedProto: string | undefined;
}

export interface Verdict {
  /** Whether the request reached the client's side over TLS, as far as this server can tell. */
  readonly secure: boolean;
  /** Whether to serve it: secure, or not in production. */
  readonly allowed: boolean;
  /** Headers to add to the response (HSTS on secure requests). */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The rightmost X-Forwarded-Proto entry: the one the nearest proxy (the
 * trusted one) added or set. Entries further left came from further away,
 * possibly from the client itself.
 */
export function lastForwardedProto(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',');
  return parts[parts.length - 1]?.trim().toLowerCase();
}

/**
 * The transport policy, framework-free: decides from the socket and one
 * header whether a request came over TLS. Options are checked once, here.
 */
export class TransportPolicy {
  readonly production: boolean;
  readonly #proxies: TrustedProxies;
  readonly #secureHeaders: Readonly<Record<string, string>>;

  constructor(options: TransportGuardOptions = {}) {
    const where = 'transportGuard';
    const o = optionsObject(where, options, "{ trustedProxies: ['10.0.0.0/24'] }");
    onlyKnownKeys(where, o, ['production', 'trustedProxies', 'hsts']);
    this.production = booleanOption(`${where} production`, o.production, isProductionEnvironment());
    this.#proxies = new TrustedProxies(where, o.trustedProxies);
    const hsts = hstsHeaderValue(where, o.hsts as HstsOptions | false | undefined, this.production);
    this.#secureHeaders = hsts === undefined ? {} : { 'strict-transport-security': hsts };
  }

  decide(facts: ArrivalFacts): Verdict {
    let secure = facts.encrypted;
    if (this.#proxies.has(facts.remoteAddress)) {
      const proto = lastForwardedProto(facts.forwardedProto);
      // The proxy speaks for the client's leg: "http" there is plaintext even over a TLS hop.
      if (proto !== undefined) secure = proto === 'https';
    }
    return {
      secure,
      allowed: secure || !this.production,
      headers: secure ? this.#secureHeaders : {},
    };
  }
}
