import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ResolvedVaultOptions } from './options.js';

export interface VaultBody {
  readonly data?: Record<string, unknown>;
  readonly errors?: readonly string[];
  readonly warnings?: readonly string[];
}

export interface VaultResponse {
  readonly status: number;
  readonly body: VaultBody;
}

/** The request did not get a response: connection refused, reset, TLS failure or timeout. */
export class VaultTransportError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'VaultTransportError';
    this.code = code;
  }
}

const MAX_RESPONSE_BYTES = 1 << 20;

/**
 * Vault's HTTP API over node:http(s). Node's global fetch takes no CA or
 * client certificate without the undici package, and Vault deployments
 * usually need both, so requests go through an https.Agent that carries
 * them (TLS 1.2 or later, certificates always verified).
 */
export class VaultHttp {
  readonly #options: ResolvedVaultOptions;
  readonly #agent: HttpAgent | HttpsAgent;
  readonly #base: string;

  constructor(options: ResolvedVaultOptions) {
    this.#options = options;
    const { tls } = options;
    this.#agent =
      options.address.protocol === 'https:'
        ? new HttpsAgent({
            keepAlive: true,
            minVersion: 'TLSv1.2',
            rejectUnauthorized: true,
            ...(tls.ca === undefined ? {} : { ca: tls.ca as string | Buffer | (string | Buffer)[] }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
            ...(tls.servername === undefined ? {} : { servername: tls.servername }),
          })
        : new HttpAgent({ keepAlive: true });
    this.#base = `${options.address.origin}${options.address.pathname.replace(/\/$/, '')}/v1/`;
  }

  request(method: 'GET' | 'POST', path: string, payload?: Record<string, unknown>): Promise<VaultResponse> {
    const body = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
    const headers: Record<string, string | number> = {
      'X-Vault-Token': this.#options.token,
      'X-Vault-Request': 'true',
      Accept: 'application/json',
    };
    if (this.#options.namespace !== undefined) headers['X-Vault-Namespace'] = this.#options.namespace;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = body.length;
    }
    const send = this.#options.address.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<VaultResponse>((resolve, reject) => {
      const req = send(`${this.#base}${path}`, { method, headers, agent: this.#agent });
      const timer = setTimeout(
        () => req.destroy(new VaultTransportError('Vault did not answer in time', 'ETIMEDOUT')),
        this.#options.timeoutMs,
      );
      req.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          error instanceof VaultTransportError
            ? error
            : new VaultTransportError('request to Vault failed', error.code, error),
        );
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new VaultTransportError('Vault response too large', 'ERESPONSETOOLARGE'));
            return;
          }
          chunks.push(chunk);
        });
        res.once('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks)) });
        });
        res.once('error', (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(new VaultTransportError('Vault response interrupted', error.code, error));
        });
      });
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

function parseBody(bytes: Buffer): VaultBody {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as VaultBody) : {};
  } catch {
    // A proxy's HTML error page, or an empty 204: no Vault body to read.
    return {};
  }
}
