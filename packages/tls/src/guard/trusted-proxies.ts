import { BlockList, isIP } from 'node:net';
import { configError, stringList } from '../lib/options.js';

/**
 * The addresses of the proxies (load balancers, TLS terminators) whose
 * X-Forwarded-Proto is believed: single addresses or CIDR ranges, IPv4 or
 * IPv6. A catch-all range is refused: it would let any client claim HTTPS.
 */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly entries: readonly string[];

  constructor(where: string, value: unknown) {
    this.entries = value === undefined ? [] : stringList(`${where} trustedProxies`, value);
    for (const entry of this.entries) this.#add(where, entry);
  }

  #add(where: string, entry: string): void {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const problem = `${where} trustedProxies: "${entry}" is not an IP address or CIDR range (e.g. "10.0.0.5" or "10.0.0.0/24")`;
    if (family === 0 || extra !== undefined) throw configError(problem);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      this.#list.addAddress(address, type);
      return;
    }
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
    if (!(bits >= 0 && bits <= (family === 4 ? 32 : 128))) throw configError(problem);
    if (bits === 0)
      throw configError(
        `${where} trustedProxies: "${entry}" trusts every address, so any client could claim HTTPS; name your proxy's addresses`,
      );
    this.#list.addSubnet(address, bits, type);
  }

  /** Whether a peer address is one of the trusted proxies (IPv4-mapped IPv6 addresses included). */
  has(remoteAddress: string | undefined): boolean {
    if (remoteAddress === undefined || this.entries.length === 0) return false;
    const family = isIP(remoteAddress);
    if (family === 0) return false;
    return this.#list.check(remoteAddress, family === 4 ? 'ipv4' : 'ipv6');
  }
}
