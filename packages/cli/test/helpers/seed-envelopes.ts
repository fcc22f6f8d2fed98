import { createCipheriv, generateKeyPairSync, randomBytes } from 'node:crypto';
import { generateJweKeyPair, type JweKeyKind } from '@cipherlayer/profiles/jwe';
import { createJweClient } from '@cipherlayer/profiles/jwe/client';
import { createRsaSessionClient } from '@cipherlayer/profiles/rsa-session/client';
import { importStaticKey, sealBytes } from '@cipherlayer/profiles/static-key/browser';
// The seeds' own snippets, as the profiles' interoperability tests run them.
import { encryptPayload as seed001EncryptPayload } from '../../../profiles/test/helpers/seed001-client.js';
import { startSeed001Server } from '../../../profiles/test/helpers/seed001-server.js';
import { encrypt as seed002Encrypt } from '../../../profiles/test/helpers/seed002-server.js';
import { jweService } from '../../../profiles/test/helpers/seed004.js';

const BASE = 'https://api.example';
type FetchInit = RequestInit | undefined;

/** What a client put on the wire for one request, through a fetch that answers 204. */
async function captureBody(
  send: (fetch: (input: RequestInfo | URL, init?: FetchInit) => Promise<Response>) => Promise<unknown>,
  answer: (url: string, init: FetchInit) => Response | undefined = () => undefined,
): Promise<string> {
  let body: string | undefined;
  await send(async (input, init) => {
    const url = String(input);
    const canned = answer(url, init);
    if (canned !== undefined) return canned;
    body = String(init?.body);
    return new Response(null, { status: 204 });
  });
  if (body === undefined) throw new Error('the client sent no body');
  return body;
}

export interface RsaSessionMaterial {
  /** PKCS#8 PEM of the session's RSA key. */
  readonly privateKey: string;
  readonly publicKey: string;
}

export function rsaSessionKeys(): RsaSessionMaterial {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

/**
 * An rsa-session request made by the profile's client (Web Crypto,
 * RSA-OAEP-SHA256), against a stand-in server whose session creation hands
 * out `keys.publicKey` (sealed under the client's phase-1 AES key, as the seed's server does).
 */
export async function profileRsaSessionRequest(keys: RsaSessionMaterial, payload: unknown): Promise<string> {
  return captureBody(
    (fetch) =>
      createRsaSessionClient({ baseUrl: BASE, deviceId: 'device-1', fetch })('/api/transfer', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      }),
    (url, init) => {
      if (!url.endsWith('/.well-known/cipherlayer/rsa-session')) return undefined;
      const { aesKey } = JSON.parse(String(init?.body)) as { aesKey: string };
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', Buffer.from(aesKey, 'base64'), iv);
      const inner = JSON.stringify({ token: 'session-token', publicKey: keys.publicKey });
      const data = Buffer.concat([cipher.update(inner), cipher.final()]);
      return Response.json({
        encryptedData: data.toString('base64'),
        iv: iv.toString('base64'),
        authTag: cipher.getAuthTag().toString('base64'),
      });
    },
  );
}

/** An rsa-session request made by seed 001's client snippet (`publicEncrypt` with Node's default OAEP-SHA1). */
export function seedRsaSessionRequest(keys: RsaSessionMaterial, payload: unknown): string {
  return JSON.stringify(seed001EncryptPayload(payload, keys.publicKey).body);
}

/**
 * An rsa-session response made by seed 001's server code: its session
 * creation answer `{encryptedData, iv, authTag}`, sealed under the AES key
 * the client sent, which is returned with it.
 */
export async function seedRsaSessionResponse(): Promise<{ response: string; aesKey: Buffer }> {
  const server = await startSeed001Server();
  try {
    const aesKey = randomBytes(32);
    const answer = await fetch(`${server.url}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ aesKey: aesKey.toString('base64'), deviceId: 'device-1' }),
    });
    return { response: await answer.text(), aesKey };
  } finally {
    await server.close();
  }
}

/** A static-key `{data}` sealed by the profile's envelope code. */
export async function profileStaticKeyEnvelope(hexKey: string, payload: unknown): Promise<string> {
  const data = await sealBytes(
    await importStaticKey(hexKey),
    new TextEncoder().encode(JSON.stringify(payload)),
  );
  return JSON.stringify({ data });
}

/** A static-key `{data}` made by seed 002's server `encrypt()`. */
export function seedStaticKeyEnvelope(hexKey: string, payload: unknown): string {
  return JSON.stringify({ data: seed002Encrypt(payload, Buffer.from(hexKey, 'hex')) });
}

/** A JWE request made by the profile's client (ECDH-ES + A256GCM on EC keys, RSA-OAEP-256 on RSA keys). */
export async function profileJwe(kind: JweKeyKind, payload: unknown) {
  const key = await generateJweKeyPair(kind);
  const token = await captureBody((fetch) =>
    createJweClient({ baseUrl: BASE, serverKey: key.publicKey, fetch })('/api/transfer', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    }),
  );
  return { key, token };
}

/** A JWE made by seed 004's `createJWEToken` (node-jose, as the seed: ECDH-ES on P-521, A128CBC-HS256). */
export async function seedJwe(payload: Record<string, unknown>) {
  const { publicKey, privateKey } = jweService.generateKeys() as { publicKey: string; privateKey: string };
  const token = (await jweService.createJWEToken(payload, publicKey)) as string;
  return { publicKey, privateKey, token };
}
