import { resolve } from 'node:path';
import { createDevCertificates, DEFAULT_CA_DAYS, DEFAULT_HOSTS, DEFAULT_LEAF_DAYS } from '@cipherlayer/tls';
import { integerValue, stringList, stringValue } from '../../lib/args.js';
import type { Command } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { columns } from '../../lib/output.js';

export const certsDevCommand: Command = {
  name: 'certs dev',
  summary: 'make development TLS certificates: a local CA, a server certificate, client certificates',
  usage: '[--dir <dir>] [--host <name|ip> ...] [--client <name> ...] [--days n] [--ca-days n]',
  description: [
    'EC P-256 keys (written 0600), SANs for every host (DNS names and IP addresses), serverAuth / clientAuth',
    `usages, and short lifetimes: ${DEFAULT_LEAF_DAYS} days for leaves (at most 90), ${DEFAULT_CA_DAYS} for the CA (at most 365).`,
    'A CA already in the directory is reused while it outlives the new leaves, so a CA you trusted stays',
    'trusted; leaves are replaced. Needs the openssl binary. For development only: never trust this CA on a',
    'machine you do not control, and keep ca.key private.',
  ].join('\n'),
  options: {
    dir: { type: 'string', value: 'dir', description: 'where the files go (default ./certs, created 0700)' },
    host: {
      type: 'string',
      multiple: true,
      value: 'name',
      description: `server SAN (default ${DEFAULT_HOSTS.join(', ')})`,
    },
    client: {
      type: 'string',
      multiple: true,
      value: 'name',
      description: 'a client certificate for this service name (mTLS)',
    },
    days: { type: 'string', value: 'days', description: `leaf lifetime (default ${DEFAULT_LEAF_DAYS})` },
    'ca-days': {
      type: 'string',
      value: 'days',
      description: `CA lifetime when a new CA is made (default ${DEFAULT_CA_DAYS})`,
    },
  },
  examples: [
    'cipherlayer certs dev',
    'cipherlayer certs dev --dir certs --host localhost --host api.test --host 127.0.0.1',
    'cipherlayer certs dev --client orders --client billing --json',
  ],
  async run({ values, out, cwd }) {
    const dir = resolve(cwd, stringValue(values, 'dir') ?? 'certs');
    const hosts = stringList(values, 'host');
    const clients = stringList(values, 'client');
    const days = integerValue(values, 'days', 1, 90);
    const caDays = integerValue(values, 'ca-days', 1, 365);
    const made = await createDevCertificates({
      dir,
      ...(hosts.length > 0 ? { hosts } : {}),
      clients,
      ...(days === undefined ? {} : { days }),
      ...(caDays === undefined ? {} : { caDays }),
    });
    const entry = (f: { certFile: string; keyFile: string; notAfter: Date }) => ({
      cert: f.certFile,
      key: f.keyFile,
      notAfter: f.notAfter.toISOString(),
    });
    if (out.json) {
      out.result({
        dir,
        ca: { ...entry(made.ca), created: made.ca.created, fingerprint256: made.ca.fingerprint256 },
        server: { ...entry(made.server), subjectAltNames: made.server.subjectAltNames },
        clients: made.clients.map((c) => ({ name: c.name, ...entry(c) })),
      });
      return ExitCode.Ok;
    }
    out.line(`${made.ca.created ? 'made a new' : 'reused the'} CA in ${dir}`);
    const rows = [
      ['', 'certificate', 'key (0600)', 'valid until'],
      ['CA', made.ca.certFile, made.ca.keyFile, made.ca.notAfter.toISOString()],
      ['server', made.server.certFile, made.server.keyFile, made.server.notAfter.toISOString()],
      ...made.clients.map((c) => [`client ${c.name}`, c.certFile, c.keyFile, c.notAfter.toISOString()]),
    ];
    for (const line of columns(rows)) out.line(`  ${line}`);
    out.line(`  server names: ${made.server.subjectAltNames.join(', ')}`);
    out.line(`  CA fingerprint (SHA-256): ${made.ca.fingerprint256}`);
    out.line('');
    out.line(
      `Node clients: NODE_EXTRA_CA_CERTS=${made.ca.certFile}, or createClientAgent({ ca }) from @cipherlayer/tls.`,
    );
    if (made.ca.created)
      out.line('Browsers: trust ca.pem for this development machine only (it is new: trust it again).');
    return ExitCode.Ok;
  },
};
