import { constants, createDecipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import { DOCUMENT_JSON, GET_PATH } from './document.js';
import { Rotation } from './rotation.js';
import { decrypt } from './schemes/seed002.js';
import { RSA_SESSION_PATH } from './server/spec.js';
import {
  expectStatus,
  expectText,
  fetchBody,
  type LoadRequest,
  type RequestSource,
  type RequestVariation,
  VerificationError,
} from './source.js';

/**
 * Requests for the profiles of @cipherlayer/profiles, written from the
 * seeds' own client code (node:crypto, as seed 001's client does), so that
 * each profile is driven as the seed's users drive it, in its default
 * compatible mode.
 */

const DEVICE_ID = 'bench-device-1';
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const GET: LoadRequest = { method: 'GET', path: GET_PATH, headers: { accept: 'application/json' } };

interface SealedPayload {
  readonly encryptedData: string;
  readonly iv: string;
  readonly authTag: string;
}

/** Seed 001's `decryptData`: AES-256-GCM, base64 fields, no AAD (compatible mode). */
function openPayload(key: Buffer, payload: SealedPayload): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(payload.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(payload.authTag, 'base64'));
  return Buffer.concat([
    decipher.update(Buffer.from(payload.encryptedData, 'base64')),
    decipher.final(),
  ]).toString('utf8');
}

function isPayload(value: unknown): value is SealedPayload {
  const v = value as Partial<Record<keyof SealedPayload, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.encryptedData === 'string' &&
    typeof v.iv === 'string' &&
    typeof v.authTag === 'string'
  );
}

async function readPayload(response: Response, what: string): Promise<SealedPayload> {
  expectStatus(response.status, 200, what);
  const body: unknown = await response.json();
  if (!isPayload(body))
    throw new VerificationError(`${what}: the answer is not {encryptedData, iv, authTag}`);
  return body;
}

/** Phase 1's request: the client's AES key in the clear (inside TLS), as the seed sends it. */
function creationRequest(): { readonly key: Buffer; readonly body: Buffer } {
  const key = randomBytes(32);
  return { key, body: Buffer.from(JSON.stringify({ aesKey: key.toString('base64'), deviceId: DEVICE_ID })) };
}

const CREATION_HEADERS = { ...JSON_HEADERS, 'x-device-id': DEVICE_ID };

interface RsaSession {
  readonly token: string;
  readonly publicKey: string;
}

async function createSession(origin: string): Promise<RsaSession> {
  const { key, body } = creationRequest();
  const response = await fetch(`${origin}${RSA_SESSION_PATH}`, {
    method: 'POST',
    headers: CREATION_HEADERS,
    body: fetchBody(body),
  });
  const inner = JSON.parse(openPayload(key, await readPayload(response, 'rsa-session creation'))) as {
    token?: unknown;
    publicKey?: unknown;
  };
  if (typeof inner.token !== 'string' || typeof inner.publicKey !== 'string')
    throw new VerificationError('rsa-session creation: no token and public key in the answer');
  return { token: inner.token, publicKey: inner.publicKey };
}

interface RsaGet {
  readonly key: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** Phase 2 for a GET: a fresh AES key wrapped to the session's RSA key (OAEP-SHA256), in the header. */
function rsaGet(session: RsaSession): RsaGet {
  const key = randomBytes(32);
  const wrapped = publicEncrypt(
    { key: session.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    key,
  );
  return {
    key,
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${session.token}`,
      'x-device-id': DEVICE_ID,
      'encrypted-aes-key': wrapped.toString('base64'),
    },
  };
}

async function checkRsaGet(origin: string, request: RsaGet, what: string): Promise<void> {
  const response = await fetch(`${origin}${GET_PATH}`, { headers: request.headers });
  expectText(openPayload(request.key, await readPayload(response, what)), DOCUMENT_JSON, what);
}

/**
 * rsa-session GETs in one session created over HTTP: a pool of distinct
 * requests, each with its own RSA-wrapped AES key (so the server does one
 * RSA-OAEP decryption per request, as the seed's does), reused round and
 * round: compatible mode keeps no replay state.
 */
export async function rsaSessionGet(origin: string, poolSize: number): Promise<RequestSource> {
  const session = await createSession(origin);
  const requests = new Rotation<RequestVariation>(true);
  requests.load(Array.from({ length: poolSize }, () => ({ headers: rsaGet(session).headers })));
  return {
    template: GET,
    next: () => requests.take(),
    prepare: () => {},
    get overruns() {
      return requests.overruns;
    },
    verify: async (target) => checkRsaGet(target, rsaGet(session), 'rsa-session GET'),
  };
}

/** Session creations (phase 1), all alike: each makes a session with its own RSA key pair. */
export function rsaCreation(): RequestSource {
  const { body } = creationRequest();
  const template: LoadRequest = { method: 'POST', path: RSA_SESSION_PATH, headers: CREATION_HEADERS, body };
  return {
    template,
    prepare: () => {},
    overruns: 0,
    // A created session carries a GET whose answer opens with that request's key.
    verify: async (origin) =>
      checkRsaGet(origin, rsaGet(await createSession(origin)), 'rsa-session creation, then a GET'),
  };
}

/** static-key GETs (seed 002): nothing to send; the answer is `{ data }` under the static key. */
export function staticKeyGet(key: Buffer): RequestSource {
  return {
    template: GET,
    prepare: () => {},
    overruns: 0,
    verify: async (origin) => {
      const response = await fetch(`${origin}${GET_PATH}`, { headers: GET.headers });
      expectStatus(response.status, 200, 'static-key GET');
      const { data } = (await response.json()) as { data: string };
      expectText(JSON.stringify(decrypt(data, key)), DOCUMENT_JSON, 'static-key GET');
    },
  };
}
