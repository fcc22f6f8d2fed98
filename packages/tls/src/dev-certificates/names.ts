import { isIP } from 'node:net';
import { configError } from '../lib/options.js';

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** A DNS name (optionally "*." + name) as certificates carry it. */
export function isDnsName(name: string): boolean {
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  return bare.length > 0 && bare.length <= 253 && bare.split('.').every((label) => LABEL.test(label));
}

/** Subject alternative names for server hosts: DNS names and IP addresses (v4 and v6). */
export function hostAltNames(where: string, hosts: readonly string[]): { dns: string[]; ip: string[] } {
  if (hosts.length === 0) throw configError(`${where} hosts: give at least one host name or IP address`);
  const dns: string[] = [];
  const ip: string[] = [];
  for (const host of hosts) {
    if (typeof host !== 'string') throw configError(`${where} hosts must be strings`);
    if (isIP(host) !== 0) ip.push(host);
    else if (isDnsName(host)) dns.push(host.toLowerCase());
    else throw configError(`${where} hosts: "${host}" is neither a DNS name nor an IP address`);
  }
  return { dns, ip };
}

/** A client (service) name: a DNS-style name, used as its SAN and in its file names. */
export function clientName(where: string, name: unknown): string {
  if (typeof name !== 'string' || !isDnsName(name) || name.startsWith('*.'))
    throw configError(
      `${where}: client name ${JSON.stringify(name)} must be a DNS-style name (letters, digits, "-" and ".")`,
    );
  return name.toLowerCase();
}
