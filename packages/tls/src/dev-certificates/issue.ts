import { randomBytes, X509Certificate } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configError, integerInRange } from '../lib/options.js';
import { checkPrivateFile, PRIVATE_MODE, PUBLIC_MODE, writeFileAtomic } from './files.js';
import { clientName, hostAltNames, isDnsName } from './names.js';
import { opensslTime, runOpenssl } from './openssl.js';
import { type AltNames, type CertificateUsage, caConfig } from './openssl-config.js';

const DAY_MS = 86_400_000;
/** Certificates start five minutes in the past, so a peer whose clock lags a little accepts them. */
const BACKDATE_MS = 5 * 60_000;

export const DEFAULT_LEAF_DAYS = 30;
export const DEFAULT_CA_DAYS = 90;
/** Development certificates are short-lived by design; longer ones are refused. */
export const MAX_LEAF_DAYS = 90;
export const MAX_CA_DAYS = 365;

export interface IssuedFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate in PEM (public). */
  readonly cert: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the certificate, colon-separated hex. */
  readonly fingerprint256: string;
}

export interface DevCa extends IssuedFiles {}

export interface IssuedCertificate extends IssuedFiles {
  readonly usage: 'server' | 'client';
  readonly name: string;
  /** As in the certificate: "DNS:localhost", "IP:127.0.0.1". */
  readonly subjectAltNames: readonly string[];
}

interface Validity {
  readonly days?: number;
  /** Explicit dates (tests of expired or future certificates); both or neither. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export interface CreateDevCaOptions extends Validity {
  /** Directory for `<fileName>.pem` and `<fileName>.key` (created 0700 when missing). */
  readonly dir: string;
  /** Default "ca". */
  readonly fileName?: string;
  /** Subject common name; default "cipherlayer development CA <random id>". */
  readonly commonName?: string;
  /** The openssl binary; default "openssl" from PATH. */
  readonly openssl?: string;
}

export interface IssueDevCertificateOptions extends Validity {
  /** The CA's certificate and key files (a DevCa, or paths). */
  readonly ca: { readonly certFile: string; readonly keyFile: string };
  readonly usage: 'server' | 'client';
  /** Server: its common name (default the first host). Client: its identity, also its DNS SAN. */
  readonly name?: string;
  /** Server only: DNS names and IP addresses (default localhost, 127.0.0.1, ::1). */
  readonly hosts?: readonly string[];
  readonly dir: string;
  /** Default "server" or "client-<name>". */
  readonly fileName?: string;
  readonly openssl?: string;
}

export const DEFAULT_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function fileName(where: string, value: unknown, fallback: string): string {
  const name = value ?? fallback;
  if (typeof name !== 'string' || !FILE_NAME.test(name))
    throw configError(`${where} fileName must be letters, digits, ".", "_" or "-"`);
  return name;
}

function validity(where: string, options: Validity, defaultDays: number, maxDays: number, now: number) {
  if ((options.notBefore === undefined) !== (options.notAfter === undefined))
    throw configError(`${where}: give both notBefore and notAfter, or days`);
  if (options.notBefore !== undefined && options.notAfter !== undefined) {
    if (
      !(options.notBefore instanceof Date) ||
      !(options.notAfter instanceof Date) ||
      options.notAfter <= options.notBefore
    )
      throw configError(`${where}: notBefore and notAfter must be Dates, notAfter later`);
    return { notBefore: options.notBefore, notAfter: options.notAfter };
  }
  const days =
    options.days === undefined ? defaultDays : integerInRange(`${where} days`, options.days, 1, maxDays);
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + days * DAY_MS) };
}

async function workspace(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cipherlayer-certs-'));
}

async function newKey(binary: string, work: string): Promise<string> {
  const pem = await runOpenssl(
    binary,
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    work,
  );
  await writeFile(join(work, 'leaf.key'), pem, { mode: PRIVATE_MODE });
  return pem;
}

async function sign(
  binary: string,
  work: string,
  usage: CertificateUsage,
  commonName: string,
  altNames: AltNames,
  dates: { notBefore: Date; notAfter: Date },
): Promise<string> {
  await writeFile(join(work, 'ca.cnf'), caConfig(usage, altNames));
  await writeFile(join(work, 'index.txt'), '');
  await runOpenssl(
    binary,
    ['req', '-new', '-key', 'leaf.key', '-subj', `/CN=${commonName}`, '-out', 'leaf.csr'],
    work,
  );
  const selfSigned = usage === 'ca' ? ['-selfsign', '-keyfile', 'leaf.key'] : [];
  await runOpenssl(
    binary,
    [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      ...selfSigned,
      '-in',
      'leaf.csr',
      '-out',
      'leaf.pem',
      '-extensions',
      'ext',
      '-startdate',
      opensslTime(dates.notBefore),
      '-enddate',
      opensslTime(dates.notAfter),
      '-notext',
    ],
    work,
  );
  return readFile(join(work, 'leaf.pem'), 'utf8');
}

async function save(dir: string, name: string, cert: string, key: string): Promise<IssuedFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  await writeFileAtomic(keyFile, key, PRIVATE_MODE);
  await writeFileAtomic(certFile, cert, PUBLIC_MODE);
  const x509 = new X509Certificate(cert);
  return {
    certFile,
    keyFile,
    cert,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    fingerprint256: x509.fingerprint256,
  };
}

/** A new local CA: EC P-256, CA:TRUE with pathlen 0, keyCertSign and cRLSign, 90 days by default. */
export async function createDevCa(options: CreateDevCaOptions): Promise<DevCa> {
  const where = 'createDevCa';
  const binary = options.openssl ?? 'openssl';
  const name = fileName(where, options.fileName, 'ca');
  const dates = validity(where, options, DEFAULT_CA_DAYS, MAX_CA_DAYS, Date.now());
  const commonName = options.commonName ?? `cipherlayer development CA ${randomBytes(4).toString('hex')}`;
  if (!/^[A-Za-z0-9 ._-]{1,64}$/.test(commonName))
    throw configError(`${where} commonName: 1 to 64 letters, digits, spaces, ".", "_" or "-"`);
  const work = await workspace();
  try {
    const key = await newKey(binary, work);
    const cert = await sign(binary, work, 'ca', commonName, { dns: [], ip: [] }, dates);
    return await save(options.dir, name, cert, key);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * A server or client certificate signed by a development CA: EC P-256,
 * CA:FALSE, digitalSignature, serverAuth or clientAuth, SANs for the hosts
 * (DNS and IP) or the client name; 30 days by default, never past the CA.
 */
export async function issueDevCertificate(options: IssueDevCertificateOptions): Promise<IssuedCertificate> {
  const where = 'issueDevCertificate';
  const binary = options.openssl ?? 'openssl';
  if (options.usage !== 'server' && options.usage !== 'client')
    throw configError(`${where} usage must be "server" or "client"`);
  let altNames: AltNames;
  let name: string;
  if (options.usage === 'server') {
    altNames = hostAltNames(where, options.hosts ?? DEFAULT_HOSTS);
    name = options.name ?? (options.hosts ?? DEFAULT_HOSTS)[0] ?? 'localhost';
    if (typeof name !== 'string' || (isIP(name) === 0 && !isDnsName(name)))
      throw configError(`${where} name must be a host name or IP address`);
  } else {
    if (options.hosts !== undefined) throw configError(`${where}: hosts are for server certificates`);
    name = clientName(where, options.name);
    altNames = { dns: [name], ip: [] };
  }
  const file = fileName(where, options.fileName, options.usage === 'server' ? 'server' : `client-${name}`);
  await checkPrivateFile(options.ca.keyFile);
  const caCert = new X509Certificate(await readFile(options.ca.certFile));
  const now = Date.now();
  const dates = validity(where, options, DEFAULT_LEAF_DAYS, MAX_LEAF_DAYS, now);
  const caEnd = new Date(caCert.validTo);
  // A leaf that outlives its CA would stop verifying before its own end; cap it (unless dates were given).
  const notAfter = options.notAfter === undefined && dates.notAfter > caEnd ? caEnd : dates.notAfter;
  const work = await workspace();
  try {
    await copyFile(options.ca.certFile, join(work, 'ca.pem'));
    await writeFile(join(work, 'ca.key'), await readFile(options.ca.keyFile), { mode: PRIVATE_MODE });
    const key = await newKey(binary, work);
    const cert = await sign(binary, work, options.usage, name, altNames, {
      notBefore: dates.notBefore,
      notAfter,
    });
    const saved = await save(options.dir, file, cert, key);
    return {
      ...saved,
      usage: options.usage,
      name,
      subjectAltNames: [...altNames.dns.map((d) => `DNS:${d}`), ...altNames.ip.map((i) => `IP:${i}`)],
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
