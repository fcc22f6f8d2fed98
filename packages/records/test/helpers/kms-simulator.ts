import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * KmsSimulator: a SIMULATED AWS KMS endpoint for tests, not AWS. A node:http
 * server on 127.0.0.1 speaking the JSON 1.1 protocol (X-Amz-Target:
 * TrentService.<Action>) for the four actions the keyring uses — Encrypt,
 * Decrypt, ReEncrypt, DescribeKey — with real AES-256-GCM underneath and the
 * EncryptionContext as AAD, and the same error names KMS returns. Every call
 * is recorded for assertions.
 */
export interface KmsCall {
  readonly action: string;
  readonly request: Record<string, unknown>;
  readonly status: number;
  readonly response: Record<string, unknown>;
  readonly authorization: string | undefined;
}

interface SimulatedKey {
  readonly arn: string;
  readonly material: Buffer;
  enabled: boolean;
}

const ACCOUNT = '111122223333';
const BLOB_VERSION = 0x01;

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export class KmsSimulator {
  readonly region = 'us-east-1';
  readonly calls: KmsCall[] = [];
  /** When set, every request is held open and never answered (a black hole). */
  hang = false;
  readonly #keys = new Map<string, SimulatedKey>();
  readonly #aliases = new Map<string, string>();
  readonly #failures: { type: string; status: number }[] = [];
  readonly #server: Server;
  #endpoint = '';

  private constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(): Promise<KmsSimulator> {
    const simulator = new KmsSimulator();
    await new Promise<void>((done) => simulator.#server.listen(0, '127.0.0.1', done));
    const { port } = simulator.#server.address() as AddressInfo;
    simulator.#endpoint = `http://127.0.0.1:${port}`;
    return simulator;
  }

  get endpoint(): string {
    return this.#endpoint;
  }

  /** Creates a symmetric key and returns its ARN. */
  createKey(): string {
    const arn = `arn:aws:kms:${this.region}:${ACCOUNT}:key/${randomUUID()}`;
    this.#keys.set(arn, { arn, material: randomBytes(32), enabled: true });
    return arn;
  }

  /** Points `alias/<name>` at a key (creating or moving the alias). */
  setAlias(alias: string, keyArn: string): void {
    this.#aliases.set(alias, keyArn);
  }

  disableKey(keyArn: string): void {
    this.#keys.get(keyArn)!.enabled = false;
  }

  /** The next request fails with this KMS error, before any work. */
  failNext(type: string, status: number): void {
    this.#failures.push({ type, status });
  }

  actions(): string[] {
    return this.calls.map((call) => call.action);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.hang) return;
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : target;
    let request: Record<string, unknown> = {};
    let status = 200;
    let response: Record<string, unknown>;
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      if (req.headers['content-type'] !== 'application/x-amz-json-1.1') {
        throw new KmsError('UnsupportedMediaType', 'expected application/x-amz-json-1.1', 415);
      }
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=')) {
        throw new KmsError('MissingAuthenticationTokenException', 'request is not signed');
      }
      const failure = this.#failures.shift();
      if (failure !== undefined) throw new KmsError(failure.type, 'injected failure', failure.status);
      response = this.#dispatch(action, request);
    } catch (error) {
      const kmsError =
        error instanceof KmsError ? error : new KmsError('KMSInternalException', 'internal', 500);
      status = kmsError.status;
      response = { __type: kmsError.type, message: kmsError.message };
    }
    this.calls.push({ action, request, status, response, authorization: req.headers.authorization });
    const body = JSON.stringify(response);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
      ...(status === 200 ? {} : { 'x-amzn-errortype': String(response.__type) }),
    });
    res.end(body);
  }

  #dispatch(action: string, request: Record<string, unknown>): Record<string, unknown> {
    switch (action) {
      case 'Encrypt': {
        const key = this.#usableKey(request.KeyId);
        const blob = this.#seal(key, bytes(request.Plaintext), context(request.EncryptionContext));
        return {
          CiphertextBlob: blob.toString('base64'),
          KeyId: key.arn,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      }
      case 'Decrypt': {
        const { key, plaintext } = this.#open(
          request.CiphertextBlob,
          request.KeyId,
          request.EncryptionContext,
        );
        return {
          Plaintext: plaintext.toString('base64'),
          KeyId: key.arn,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      }
      case 'ReEncrypt': {
        const source = this.#open(
          request.CiphertextBlob,
          request.SourceKeyId,
          request.SourceEncryptionContext,
        );
        const destination = this.#usableKey(request.DestinationKeyId);
        const blob = this.#seal(destination, source.plaintext, context(request.DestinationEncryptionContext));
        return {
          CiphertextBlob: blob.toString('base64'),
          KeyId: destination.arn,
          SourceKeyId: source.key.arn,
          SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      }
      case 'DescribeKey': {
        const key = this.#resolve(request.KeyId);
        return {
          KeyMetadata: {
            Arn: key.arn,
            KeyId: key.arn.split('/')[1],
            Enabled: key.enabled,
            KeyState: key.enabled ? 'Enabled' : 'Disabled',
          },
        };
      }
      default:
        throw new KmsError('UnknownOperationException', `${action} is not simulated`);
    }
  }

  #resolve(keyId: unknown): SimulatedKey {
    const id = String(keyId ?? '');
    const alias = id.startsWith('alias/') ? id : /:alias\/.+$/.exec(id)?.[0]?.slice(1);
    const arn =
      alias !== undefined
        ? this.#aliases.get(alias)
        : id.startsWith('arn:')
          ? id
          : [...this.#keys.keys()].find((k) => k.endsWith(`/${id}`));
    const key = arn === undefined ? undefined : this.#keys.get(arn);
    if (key === undefined) throw new KmsError('NotFoundException', `Key '${id}' does not exist`);
    return key;
  }

  #usableKey(keyId: unknown): SimulatedKey {
    const key = this.#resolve(keyId);
    if (!key.enabled) throw new KmsError('DisabledException', `${key.arn} is disabled.`);
    return key;
  }

  /** Blob: version ‖ key uuid (36) ‖ IV (12) ‖ ciphertext ‖ tag (16); AAD = canonical context ‖ key ARN. */
  #seal(key: SimulatedKey, plaintext: Buffer, encryptionContext: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.material, iv);
    cipher.setAAD(Buffer.concat([encryptionContext, Buffer.from(key.arn)]));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([
      Buffer.of(BLOB_VERSION),
      Buffer.from(key.arn.split('/')[1]!),
      iv,
      body,
      cipher.getAuthTag(),
    ]);
  }

  #open(
    blobField: unknown,
    keyId: unknown,
    encryptionContext: unknown,
  ): { key: SimulatedKey; plaintext: Buffer } {
    const blob = bytes(blobField);
    if (blob.length < 1 + 36 + 12 + 16 + 1 || blob[0] !== BLOB_VERSION) {
      throw new KmsError('InvalidCiphertextException', '');
    }
    const key = this.#resolve(blob.subarray(1, 37).toString('latin1'));
    if (keyId !== undefined && this.#resolve(keyId).arn !== key.arn) {
      throw new KmsError(
        'IncorrectKeyException',
        'The key ID in the request does not identify a KMS key that can perform this operation.',
      );
    }
    if (!key.enabled) throw new KmsError('DisabledException', `${key.arn} is disabled.`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.material, blob.subarray(37, 49));
      decipher.setAAD(Buffer.concat([context(encryptionContext), Buffer.from(key.arn)]));
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      const plaintext = Buffer.concat([
        decipher.update(blob.subarray(49, blob.length - 16)),
        decipher.final(),
      ]);
      return { key, plaintext };
    } catch {
      // KMS says nothing more for a wrong context or tampered blob.
      throw new KmsError('InvalidCiphertextException', '');
    }
  }
}

function bytes(field: unknown): Buffer {
  if (typeof field !== 'string') throw new KmsError('ValidationException', 'missing blob');
  return Buffer.from(field, 'base64');
}

/** KMS compares contexts as sets of pairs: order-free. */
function context(field: unknown): Buffer {
  const pairs = Object.entries((field ?? {}) as Record<string, string>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return Buffer.from(JSON.stringify(pairs));
}
