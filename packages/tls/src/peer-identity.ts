import type { IncomingMessage } from 'node:http';
import { type PeerCertificate, TLSSocket } from 'node:tls';

/**
 * Who is on the other end of a mutual-TLS connection, as its certificate
 * says: only returned when the certificate was verified against the
 * configured CA during the handshake.
 */
export interface PeerIdentity {
  /** The subject's common name, if any (informative: authorize on SANs). */
  readonly commonName: string | undefined;
  readonly dnsNames: readonly string[];
  readonly uris: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly emails: readonly string[];
  /** The issuing CA's common name. */
  readonly issuer: string | undefined;
  readonly serialNumber: string;
  /** SHA-256 of the certificate, colon-separated hex, as Node prints it. */
  readonly fingerprint256: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

/** What carries a connection: the socket, a node/Express request, or a Fastify request (`.raw`). */
export type ConnectionSource = TLSSocket | IncomingMessage | { readonly raw: IncomingMessage };

function socketOf(source: ConnectionSource): unknown {
  if (source instanceof TLSSocket) return source;
  if ('raw' in source) return source.raw.socket;
  return source.socket;
}

function firstName(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Splits Node's subjectaltname text ("DNS:a, IP Address:1.2.3.4, URI:...").
 * Node quotes a value holding a comma or a quote as a JSON string
 * (`DNS:"a, b"`), so commas inside quotes do not split.
 */
export function parseSubjectAltName(text: string | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (text === undefined || text.length === 0) return out;
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon).trim();
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      next = text.indexOf(',', end + 1);
    } else {
      next = text.indexOf(', ', colon + 1);
      value = text.slice(colon + 1, next < 0 ? text.length : next);
    }
    out.push([type, value]);
    if (next < 0) break;
    i = next + (text[next + 1] === ' ' ? 2 : 1);
  }
  return out;
}

export function identityOf(certificate: PeerCertificate): PeerIdentity {
  const names = parseSubjectAltName(certificate.subjectaltname);
  const of = (type: string) => names.filter(([t]) => t === type).map(([, v]) => v);
  return {
    commonName: firstName(certificate.subject?.CN),
    dnsNames: of('DNS'),
    uris: of('URI'),
    ipAddresses: of('IP Address'),
    emails: of('email'),
    issuer: firstName(certificate.issuer?.CN),
    serialNumber: certificate.serialNumber,
    fingerprint256: certificate.fingerprint256,
    validFrom: new Date(certificate.valid_from),
    validTo: new Date(certificate.valid_to),
  };
}

/**
 * The verified client (or server) identity of a TLS connection, or undefined
 * when the connection is not TLS, carries no certificate, or its certificate
 * was not verified (`authorized` false).
 */
export function peerIdentity(source: ConnectionSource): PeerIdentity | undefined {
  const socket = socketOf(source);
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const certificate = socket.getPeerCertificate();
  if (certificate === null || Object.keys(certificate).length === 0) return undefined;
  return identityOf(certificate);
}

/** Whether one of the identity's SANs (DNS name, URI, IP address or email) is in `allowed`. */
export function identityMatches(identity: PeerIdentity, allowed: ReadonlySet<string>): boolean {
  return [...identity.dnsNames, ...identity.uris, ...identity.ipAddresses, ...identity.emails].some((name) =>
    allowed.has(name),
  );
}
