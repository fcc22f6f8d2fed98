/**
 * The configuration `openssl ca` reads: a throwaway database in the working
 * directory, random serial numbers, SHA-256, and one extensions section per
 * kind of certificate. Extensions in a request are ignored (copy_extensions
 * none): the certificate gets exactly these.
 */
export type CertificateUsage = 'ca' | 'server' | 'client';

export interface AltNames {
  readonly dns: readonly string[];
  readonly ip: readonly string[];
}

export function caConfig(usage: CertificateUsage, altNames: AltNames): string {
  const lines = [
    '[ca]',
    'default_ca = dev',
    '[dev]',
    'database = index.txt',
    'new_certs_dir = .',
    'certificate = ca.pem',
    'private_key = ca.key',
    'default_md = sha256',
    'policy = any_name',
    'unique_subject = no',
    'copy_extensions = none',
    'email_in_dn = no',
    'rand_serial = yes',
    '[any_name]',
    'commonName = supplied',
    '[ext]',
  ];
  if (usage === 'ca') {
    // pathlen 0: this CA signs leaves only, never another CA.
    lines.push('basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign,cRLSign');
    lines.push('subjectKeyIdentifier = hash');
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    'basicConstraints = critical,CA:FALSE',
    // EC keys sign the ECDHE handshake; there is no RSA key transport, so no keyEncipherment.
    'keyUsage = critical,digitalSignature',
    `extendedKeyUsage = ${usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
    'subjectAltName = @alt_names',
    '[alt_names]',
    ...altNames.dns.map((name, i) => `DNS.${i + 1} = ${name}`),
    ...altNames.ip.map((ip, i) => `IP.${i + 1} = ${ip}`),
  );
  return `${lines.join('\n')}\n`;
}
