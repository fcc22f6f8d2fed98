import { CipherlayerError } from '@cipherlayer/core';
import type { OpenedByProfile, ProfileEndpoint, ProfileRequest, ProfileSpec } from '@cipherlayer/server';
import { compactDecrypt } from 'jose';
import { isJsonMediaType, readEnvelope } from '../lib/json-envelope.js';
import { after } from '../stores/guarded-store.js';
import { keyTypeFor } from './algorithms.js';
import type { JweServerKey } from './keys.js';
import { type RequestHeader, readRequestHeader } from './request-header.js';
import { JOSE_MEDIA_TYPE, responseSealer } from './response.js';
import type { JweSettings } from './settings.js';

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const JTI = /^[A-Za-z0-9_-]{16,128}$/;

/** The length of a compact JWE's fourth segment, the ciphertext. */
function ciphertextChars(token: string): number {
  const end = token.lastIndexOf('.');
  return end - token.lastIndexOf('.', end - 1) - 1;
}

function isJose(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  return (
    (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() ===
    JOSE_MEDIA_TYPE
  );
}

/** The compact JWE a request carries, or null when it carries none (then it is plaintext). */
function tokenOf(settings: JweSettings, view: ProfileRequest, body: Uint8Array | undefined): string | null {
  if (body === undefined) return view.header(settings.header) ?? null;
  if (isJose(view.header('content-type'))) {
    try {
      return utf8.decode(body).trim();
    } catch {
      throw new CipherlayerError('ERR_MALFORMED');
    }
  }
  if (settings.jsonField === undefined) return null;
  const envelope = readEnvelope(body, [settings.jsonField]);
  return envelope === null ? null : (envelope[settings.jsonField] as string);
}

/**
 * Strict mode: the request says when it was made, under which unique id,
 * for which method and target, all in the protected header, which the
 * content encryption authenticates. A request outside the time window, for
 * another method or target, or seen before, is refused.
 */
function checkStrict(settings: JweSettings, header: RequestHeader, view: ProfileRequest): string {
  const { iat, jti, htm, htu } = header;
  if (typeof iat !== 'number' || typeof jti !== 'string' || !JTI.test(jti) || header.rjwk === undefined)
    throw new CipherlayerError('ERR_MALFORMED');
  if (Math.abs(iat * 1000 - settings.clock()) > settings.maxSkewMs) throw new CipherlayerError('ERR_STALE');
  if (htm !== view.method || htu !== view.target) throw new CipherlayerError('ERR_DECRYPT');
  return jti;
}

function selectKey(settings: JweSettings, header: RequestHeader): JweServerKey {
  const type = keyTypeFor(header.alg);
  const key = settings
    .keys()
    .select(header.kid, type, type === 'ECDH' ? header.crv : undefined, settings.clock());
  if (key === undefined) throw new CipherlayerError('ERR_UNKNOWN_KEY');
  // A sealed answer is an ECDH between the server's key and the client's: same curve, and not with RSA keys.
  if (header.rjwk !== undefined && (key.type !== 'ECDH' || header.rjwk.crv !== key.crv))
    throw new CipherlayerError('ERR_MALFORMED');
  return key;
}

async function decrypt(
  settings: JweSettings,
  token: string,
  header: RequestHeader,
  key: JweServerKey,
): Promise<Uint8Array> {
  try {
    const { plaintext } = await compactDecrypt(token, key.privateKey, {
      keyManagementAlgorithms: [header.alg],
      contentEncryptionAlgorithms: [...settings.encryptions],
      maxDecompressedLength: 0,
    });
    return plaintext;
  } catch (cause) {
    throw new CipherlayerError('ERR_DECRYPT', { cause });
  }
}

function jwksEndpoint<Request>(settings: JweSettings, path: string): ProfileEndpoint<Request> {
  return {
    method: 'GET',
    path,
    maxBodyBytes: 0,
    handle: () => ({
      status: 200,
      contentType: 'application/jwk-set+json',
      body: JSON.stringify(settings.keys().publicJwks(settings.clock())),
    }),
  };
}

/**
 * The jwe profile (seed 004): a request body that is a compact JWE to the
 * server's public key is decrypted for the route; every failure is 422
 * with a generic body, as the seed answers. The answer goes out sealed
 * when the client asked (a response key in the protected header), in the
 * clear otherwise, as in the seed.
 */
export function jweSpec<Request>(name: string, settings: JweSettings): ProfileSpec<Request> {
  return {
    name,
    maxBodyBytes: settings.maxBodyBytes,
    // base64url of the largest body, plus a header with an epk, an rjwk and an RSA-4096 key.
    maxWireBytes: Math.ceil((settings.maxBodyBytes * 4) / 3) + 16 * 1024,
    vary: `Content-Type, ${settings.header}`,
    // Seed 004 answers 422 to any payload it cannot use, a plaintext one included. Kept as the registry has
    // them: 413 (too large, as the seed's body parser answers), 409 (strict mode's replay), 503 and 500.
    statuses: {
      ERR_DECRYPT: 422,
      ERR_MALFORMED: 422,
      ERR_SUITE_NOT_ALLOWED: 422,
      ERR_STALE: 422,
      ERR_PLAINTEXT_REJECTED: 422,
    },
    logger: settings.logger,
    ...(settings.jwksPath === undefined
      ? {}
      : { endpoints: [jwksEndpoint<Request>(settings, settings.jwksPath)] }),
    intake(view) {
      if (!view.hasBody) return view.header(settings.header) === undefined ? 'plaintext' : 'headers';
      const type = view.header('content-type');
      return isJose(type) || (settings.jsonField !== undefined && isJsonMediaType(type))
        ? 'body'
        : 'plaintext';
    },
    async open(view, body): Promise<OpenedByProfile | null> {
      const token = tokenOf(settings, view, body);
      if (token === null) return null;
      if (token.length > Math.ceil((settings.maxBodyBytes * 4) / 3) + 16 * 1024)
        throw new CipherlayerError('ERR_TOO_LARGE');
      const header = readRequestHeader(token, settings.algorithms, settings.encryptions);
      // The ciphertext is as long as the plaintext (plus CBC padding): refuse a large one before any key work.
      if (Math.floor((ciphertextChars(token) * 3) / 4) > settings.maxBodyBytes + 16)
        throw new CipherlayerError('ERR_TOO_LARGE');
      const jti = settings.strict ? checkStrict(settings, header, view) : undefined;
      const key = selectKey(settings, header);
      const plaintext = await decrypt(settings, token, header, key);
      if (plaintext.length > settings.maxBodyBytes) throw new CipherlayerError('ERR_TOO_LARGE');
      // A header-borne JWE stands for a bodiless request: it carries no plaintext.
      if (body === undefined && plaintext.length > 0) throw new CipherlayerError('ERR_MALFORMED');
      if (jti !== undefined)
        await after(settings.store.add(`jwe:jti:${jti}`, '1', 2 * settings.maxSkewMs + 1000), (added) => {
          if (!added) throw new CipherlayerError('ERR_REPLAY');
        });
      const { rjwk } = header;
      return {
        contentType: body === undefined ? '' : (header.cty ?? 'application/json'),
        body: body === undefined ? EMPTY : plaintext,
        details: { kid: key.kid, alg: header.alg, enc: header.enc },
        ...(rjwk === undefined ? {} : { sealer: responseSealer(rjwk, key, jti) }),
      };
    },
  };
}
