import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * VaultTransitSimulator: a SIMULATED HashiCorp Vault for tests, not Vault.
 * It serves the transit paths the keyring uses — keys/<name> (read),
 * keys/<name>/rotate, encrypt, decrypt, rewrap — with real AES-256-GCM, key
 * versions, derived keys (HKDF-SHA256 over the context), associated data,
 * Vault's response envelope and Vault's error strings, and the behaviours
 * that matter for safety: `context` is silently ignored for a key that is
 * not derived, and rewrap does not take `associated_data` (it warns and
 * ignores it, as Vault does).
 */
export interface SimulatorOptions {
  readonly token: string;
  readonly namespace?: string;
  readonly mount?: string;
  /** Serve https with this key and certificate; require client certificates signed by `clientCa`. */
  readonly tls?: { readonly key: string; readonly cert: string; readonly clientCa?: string };
  /** False mimics a Vault from before associated_data: the parameter is ignored with a warning. */
  readonly associatedData?: boolean;
}

export interface VaultRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly namespace: string | undefined;
  readonly body: Record<string, unknown>;
  readonly status: number;
}

interface TransitKey {
  readonly derived: boolean;
  readonly type: string;
  readonly versions: Buffer[];
  minDecryptionVersion: number;
}

class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors.join('; '));
  }
}

const DERIVED_WITHOUT_CONTEXT =
  "missing 'context' for key derivation; the key was created using a derived key, which means additional, per-request information must be included in order to perform operations with the key";

export class VaultTransitSimulator {
  readonly requests: VaultRequestRecord[] = [];
  /** When set, requests are held open and never answered. */
  hang = false;
  readonly #options: SimulatorOptions;
  readonly #mount: string;
  readonly #keys = new Map<string, TransitKey>();
  readonly #denied = new Set<string>();
  readonly #failures: VaultError[] = [];
  readonly #server: Server;
  #address = '';

  private constructor(options: SimulatorOptions) {
    this.#options = options;
    this.#mount = options.mount ?? 'transit';
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res);
    this.#server = options.tls
      ? createHttpsServer(
          {
            key: options.tls.key,
            cert: options.tls.cert,
            ...(options.tls.clientCa
              ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: true }
              : {}),
          },
          handler,
        )
      : createHttpServer(handler);
  }

  static async start(options: SimulatorOptions): Promise<VaultTransitSimulator> {
    const simulator = new VaultTransitSimulator(options);
    await new Promise<void>((done) => simulator.#server.listen(0, '127.0.0.1', done));
    const { port } = simulator.#server.address() as AddressInfo;
    simulator.#address = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return simulator;
  }

  get address(): string {
    return this.#address;
  }

  /** `vault write <mount>/keys/<name> type=… derived=…` */
  createKey(
    name: string,
    { derived = true, type = 'aes256-gcm96' }: { derived?: boolean; type?: string } = {},
  ): void {
    this.#keys.set(name, { derived, type, versions: [randomBytes(32)], minDecryptionVersion: 1 });
  }

  /** `vault write -f <mount>/keys/<name>/rotate` (also reachable over HTTP). */
  rotate(name: string): number {
    const key = this.#key(name, 404);
    key.versions.push(randomBytes(32));
    return key.versions.length;
  }

  /** `vault write <mount>/keys/<name>/config min_decryption_version=…` */
  setMinDecryptionVersion(name: string, version: number): void {
    this.#key(name, 404).minDecryptionVersion = version;
  }

  /** Makes the token's policy refuse one endpoint kind: "encrypt", "decrypt", "rewrap" or "keys". */
  deny(endpoint: string): void {
    this.#denied.add(endpoint);
  }

  /** The next request fails with this status and Vault error text (503 "Vault is sealed", 429, …). */
  failNext(status: number, error: string): void {
    this.#failures.push(new VaultError(status, [error]));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.hang) return;
    const path = (req.url ?? '').replace(/^\/v1\//, '');
    const namespace = header(req, 'x-vault-namespace');
    let body: Record<string, unknown> = {};
    let status = 200;
    let payload: Record<string, unknown>;
    try {
      body =
        chunks.length > 0
          ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
          : {};
      // A token from another namespace, or none, is simply unknown here.
      if (header(req, 'x-vault-token') !== this.#options.token || namespace !== this.#options.namespace) {
        throw new VaultError(403, ['permission denied']);
      }
      const failure = this.#failures.shift();
      if (failure !== undefined) throw failure;
      const { data, warnings } = this.#route(req.method ?? 'GET', path, body);
      if (data === undefined) {
        status = 204;
        payload = {};
      } else {
        payload = envelope(data, warnings);
      }
    } catch (error) {
      const vaultError = error instanceof VaultError ? error : new VaultError(500, ['internal error']);
      status = vaultError.status;
      payload = { errors: vaultError.errors };
    }
    this.requests.push({ method: req.method ?? '', path, namespace, body, status });
    if (status === 204) {
      res.writeHead(204).end();
      return;
    }
    const text = JSON.stringify(payload);
    res
      .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      .end(text);
  }

  #route(
    method: string,
    path: string,
    body: Record<string, unknown>,
  ): { data: Record<string, unknown> | undefined; warnings: string[] } {
    const parts = path.split('/');
    const mountParts = this.#mount.split('/');
    if (parts.slice(0, mountParts.length).join('/') !== this.#mount)
      throw new VaultError(404, ['no handler for route']);
    const [endpoint, name, action] = parts.slice(mountParts.length);
    if (endpoint === undefined || name === undefined) throw new VaultError(404, ['no handler for route']);
    if (this.#denied.has(endpoint))
      throw new VaultError(403, ['1 error occurred:\n\t* permission denied\n\n']);
    const warnings: string[] = [];
    const known = new Set(['plaintext', 'ciphertext', 'context', 'key_version', 'nonce']);
    if (this.#options.associatedData !== false && endpoint !== 'rewrap') known.add('associated_data');
    const ignored = Object.keys(body).filter((k) => !known.has(k));
    if (ignored.length > 0)
      warnings.push(`Endpoint ignored these unrecognized parameters: [${ignored.join(' ')}]`);

    if (endpoint === 'keys' && method === 'GET' && action === undefined)
      return { data: this.#describe(name), warnings };
    if (endpoint === 'keys' && method === 'POST' && action === 'rotate') {
      this.rotate(name);
      return { data: undefined, warnings };
    }
    if (method !== 'POST') throw new VaultError(405, ['unsupported operation']);
    const aad = known.has('associated_data') ? optionalBase64(body.associated_data) : undefined;
    switch (endpoint) {
      case 'encrypt': {
        const key = this.#key(name, 400);
        const ciphertext = this.#encrypt(key, key.versions.length, base64(body.plaintext), body.context, aad);
        return { data: { ciphertext, key_version: key.versions.length }, warnings };
      }
      case 'decrypt': {
        const key = this.#key(name, 400);
        return {
          data: { plaintext: this.#decrypt(key, body.ciphertext, body.context, aad).toString('base64') },
          warnings,
        };
      }
      case 'rewrap': {
        const key = this.#key(name, 400);
        const plaintext = this.#decrypt(key, body.ciphertext, body.context, undefined);
        const ciphertext = this.#encrypt(key, key.versions.length, plaintext, body.context, undefined);
        return { data: { ciphertext, key_version: key.versions.length }, warnings };
      }
      default:
        throw new VaultError(404, ['no handler for route']);
    }
  }

  #key(name: string, missingStatus: number): TransitKey {
    const key = this.#keys.get(name);
    if (key === undefined)
      throw new VaultError(missingStatus, missingStatus === 404 ? [] : ['encryption key not found']);
    return key;
  }

  #describe(name: string): Record<string, unknown> {
    const key = this.#key(name, 404);
    const now = Math.floor(Date.now() / 1000);
    return {
      name,
      type: key.type,
      derived: key.derived,
      exportable: false,
      latest_version: key.versions.length,
      min_decryption_version: key.minDecryptionVersion,
      min_encryption_version: 0,
      supports_encryption: true,
      supports_decryption: true,
      supports_derivation: true,
      keys: Object.fromEntries(key.versions.map((_, i) => [String(i + 1), now])),
    };
  }

  #versionKey(key: TransitKey, version: number, context: unknown): Buffer {
    const material = key.versions[version - 1]!;
    // Vault ignores `context` for a key that is not derived: the reason the keyring checks `derived`.
    if (!key.derived) return material;
    const info = optionalBase64(context);
    if (info === undefined || info.length === 0) throw new VaultError(400, [DERIVED_WITHOUT_CONTEXT]);
    return Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), info, 32));
  }

  #encrypt(
    key: TransitKey,
    version: number,
    plaintext: Buffer,
    context: unknown,
    aad: Buffer | undefined,
  ): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#versionKey(key, version, context), nonce);
    if (aad !== undefined) cipher.setAAD(aad);
    const sealed = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `vault:v${version}:${sealed.toString('base64')}`;
  }

  #decrypt(key: TransitKey, field: unknown, context: unknown, aad: Buffer | undefined): Buffer {
    const match = /^vault:v(\d+):(.+)$/.exec(typeof field === 'string' ? field : '');
    if (match === null) throw new VaultError(400, ['invalid ciphertext: no prefix']);
    const version = Number(match[1]);
    if (version < key.minDecryptionVersion) {
      throw new VaultError(400, ['ciphertext or signature version is disallowed by policy (too old)']);
    }
    if (version > key.versions.length) throw new VaultError(400, ['invalid key version']);
    const sealed = Buffer.from(match[2]!, 'base64');
    if (sealed.length < 12 + 16) throw new VaultError(400, ['invalid ciphertext: could not decode']);
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        this.#versionKey(key, version, context),
        sealed.subarray(0, 12),
      );
      if (aad !== undefined) decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
    } catch (error) {
      if (error instanceof VaultError) throw error;
      throw new VaultError(400, ['cipher: message authentication failed']);
    }
  }
}

function envelope(data: Record<string, unknown>, warnings: string[]): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: warnings.length > 0 ? warnings : null,
    auth: null,
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function base64(field: unknown): Buffer {
  if (typeof field !== 'string') throw new VaultError(400, ['missing plaintext to encrypt']);
  return Buffer.from(field, 'base64');
}

function optionalBase64(field: unknown): Buffer | undefined {
  return typeof field === 'string' && field !== '' ? Buffer.from(field, 'base64') : undefined;
}

export interface TestPki {
  readonly ca: string;
  readonly serverKey: string;
  readonly serverCert: string;
  readonly clientKey: string;
  readonly clientCert: string;
}

/** A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'cipherlayer-pki-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=cipherlayer test CA',
    );
    for (const [name, extension] of [
      ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
      ['client', 'extendedKeyUsage=clientAuth'],
    ] as const) {
      writeFileSync(file(`${name}.ext`), `${extension}\n`);
      openssl(
        'req',
        ...ec,
        '-keyout',
        file(`${name}.key`),
        '-out',
        file(`${name}.csr`),
        '-subj',
        `/CN=${name}`,
      );
      openssl(
        'x509',
        '-req',
        '-in',
        file(`${name}.csr`),
        '-CA',
        file('ca.pem'),
        '-CAkey',
        file('ca.key'),
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        file(`${name}.ext`),
        '-out',
        file(`${name}.pem`),
      );
    }
    const read = (name: string) => readFileSync(file(name), 'utf8');
    return {
      ca: read('ca.pem'),
      serverKey: read('server.key'),
      serverCert: read('server.pem'),
      clientKey: read('client.key'),
      clientCert: read('client.pem'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
