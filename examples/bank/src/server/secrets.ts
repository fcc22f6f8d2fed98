import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateServerKey, type PrivateKeySetDocument, runFlow, ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { generateJweKeyPair } from '@cipherlayer/profiles/jwe';
import { LocalKeyring } from '@cipherlayer/records';

/**
 * The server's secrets, made on the first run and kept in the data folder
 * (mode 0600). In production each would come from a secret manager; here a
 * newcomer gets a working bank with nothing to set up, and the same secrets
 * after a restart (so logins and stored records survive it).
 */
export interface BankSecrets {
  /** cl1: the server's HPKE key set (private). */
  readonly cl1Keys: PrivateKeySetDocument;
  /** rsa-session: the HS256 secret of its session JWTs (base64url, 32 bytes). */
  readonly rsaJwtSecret: string;
  /** jwe: the server's P-521 private key (PKCS#8 PEM), as seed 004 generates it. */
  readonly jwePrivateKey: string;
  /** Seals session keys at rest in Redis (base64url, 32 bytes). */
  readonly storeKey: string;
}

export interface LoadedSecrets {
  readonly secrets: BankSecrets;
  readonly created: boolean;
  readonly path: string;
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
}

export async function loadSecrets(dataDir: string): Promise<LoadedSecrets> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'secrets.json');
  if (existsSync(path)) {
    return { secrets: JSON.parse(readFileSync(path, 'utf8')) as BankSecrets, created: false, path };
  }
  const cl1 = new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 1 }))]);
  const jwe = await generateJweKeyPair('P-521');
  const secrets: BankSecrets = {
    cl1Keys: cl1.toPrivateDocument(),
    rsaJwtSecret: randomBytes(32).toString('base64url'),
    jwePrivateKey: jwe.privateKey,
    storeKey: randomBytes(32).toString('base64url'),
  };
  writeSecret(path, `${JSON.stringify(secrets, null, 2)}\n`);
  return { secrets, created: true, path };
}

export interface OpenedKeyring {
  readonly keyring: LocalKeyring;
  /** For the startup lines: where the master key comes from. */
  readonly description: string;
}

/**
 * The records keyring: the master keys from CIPHERLAYER_MASTER_KEYS when
 * set, else a key file in the data folder, created on the first run. A
 * production bank would use a KMS, HSM or Vault keyring here instead.
 */
export function openKeyring(dataDir: string, masterKeys: string | undefined): OpenedKeyring {
  if (masterKeys !== undefined) {
    return {
      keyring: new LocalKeyring({ keys: parseMasterKeys(masterKeys) }),
      description: 'local keyring, master keys from CIPHERLAYER_MASTER_KEYS',
    };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'keyring');
  let created = false;
  if (!existsSync(file)) {
    writeSecret(
      file,
      `# Master key of the records keyring (current first). Keep it out of the database's backups.\n${LocalKeyring.generateKeyEntry('k1')}\n`,
    );
    created = true;
  }
  return {
    keyring: LocalKeyring.fromFile(file),
    description: `local keyring, master key file ${file}${created ? ' (created now)' : ''}`,
  };
}

function parseMasterKeys(text: string): { id: string; key: Uint8Array }[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon <= 0) throw new Error('CIPHERLAYER_MASTER_KEYS: entries are "id:base64url"');
      return {
        id: entry.slice(0, colon),
        key: new Uint8Array(Buffer.from(entry.slice(colon + 1), 'base64url')),
      };
    });
}
