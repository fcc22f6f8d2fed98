import { X509Certificate } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configError, integerInRange, isPlainObject, onlyKnownKeys } from '../lib/options.js';
import { checkPrivateFile } from './files.js';
import {
  createDevCa,
  DEFAULT_CA_DAYS,
  DEFAULT_HOSTS,
  DEFAULT_LEAF_DAYS,
  type DevCa,
  type IssuedCertificate,
  issueDevCertificate,
  MAX_CA_DAYS,
  MAX_LEAF_DAYS,
} from './issue.js';

export interface DevCertificatesOptions {
  /** Where the files go (created 0700 when missing). */
  readonly dir: string;
  /** Server SANs; default localhost, 127.0.0.1 and ::1. */
  readonly hosts?: readonly string[];
  /** Client certificates to make, by service name (mutual TLS). */
  readonly clients?: readonly string[];
  /** Leaf lifetime in days (default 30, at most 90). */
  readonly days?: number;
  /** CA lifetime in days (default 90, at most 365). */
  readonly caDays?: number;
  readonly openssl?: string;
}

export interface DevCertificates {
  readonly ca: DevCa & { readonly created: boolean };
  readonly server: IssuedCertificate;
  readonly clients: readonly IssuedCertificate[];
}

const DAY_MS = 86_400_000;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The CA already in `dir`, when it is there and outlives a new leaf; so a CA you trusted stays trusted. */
async function existingCa(dir: string, leafDays: number): Promise<DevCa | undefined> {
  const certFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca.key');
  if (!(await exists(certFile)) || !(await exists(keyFile))) return undefined;
  await checkPrivateFile(keyFile);
  const cert = await readFile(certFile, 'utf8');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (cause) {
    throw configError(`${certFile} is not a certificate; remove ca.pem and ca.key to make a new CA`, cause);
  }
  if (Date.parse(x509.validTo) < Date.now() + leafDays * DAY_MS) return undefined;
  return {
    certFile,
    keyFile,
    cert,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    fingerprint256: x509.fingerprint256,
  };
}

/**
 * A local CA (reused when `dir` has one that outlives the new leaves), a
 * server certificate for `hosts`, and one client certificate per name.
 * Private keys are written 0600, certificates 0644; leaves are replaced.
 */
export async function createDevCertificates(options: DevCertificatesOptions): Promise<DevCertificates> {
  const where = 'createDevCertificates';
  if (!isPlainObject(options as unknown) || typeof options.dir !== 'string' || options.dir.length === 0)
    throw configError(`${where} needs { dir }: the directory for the files`);
  onlyKnownKeys(where, options, ['dir', 'hosts', 'clients', 'days', 'caDays', 'openssl']);
  const days =
    options.days === undefined
      ? DEFAULT_LEAF_DAYS
      : integerInRange(`${where} days`, options.days, 1, MAX_LEAF_DAYS);
  const caDays =
    options.caDays === undefined
      ? DEFAULT_CA_DAYS
      : integerInRange(`${where} caDays`, options.caDays, 1, MAX_CA_DAYS);
  if (caDays < days) throw configError(`${where}: caDays (${caDays}) must be at least days (${days})`);
  const clients = options.clients ?? [];
  if (!Array.isArray(clients)) throw configError(`${where} clients must be a list of names`);
  if (new Set(clients).size !== clients.length) throw configError(`${where} clients: a name appears twice`);
  const openssl = options.openssl === undefined ? {} : { openssl: options.openssl };

  const reused = await existingCa(options.dir, days);
  const ca = reused ?? (await createDevCa({ dir: options.dir, days: caDays, ...openssl }));
  const server = await issueDevCertificate({
    ca,
    usage: 'server',
    hosts: options.hosts ?? DEFAULT_HOSTS,
    dir: options.dir,
    days,
    ...openssl,
  });
  const issued: IssuedCertificate[] = [];
  for (const name of clients)
    issued.push(await issueDevCertificate({ ca, usage: 'client', name, dir: options.dir, days, ...openssl }));
  return { ca: { ...ca, created: reused === undefined }, server, clients: issued };
}
