import { randomUUID } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';
import type { EndpointAnswer, ProfileEndpoint, ProfileRequest } from '@cipherlayer/server';
import { KEY_BYTES } from '../lib/aes-gcm.js';
import { fromBase64Strict } from '../lib/base64.js';
import { isJsonMediaType } from '../lib/json-envelope.js';
import type { RsaSessionSettings } from './settings.js';
import { bearerToken } from './token.js';
import { sealPayload } from './wire.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface CreationRequest {
  readonly aesKey: Buffer;
  readonly deviceId: string | undefined;
}

/** `{ "aesKey": base64 of 32 bytes, "deviceId"?: string }`, nothing else. */
function readCreation(view: ProfileRequest, body: Uint8Array): CreationRequest {
  if (!isJsonMediaType(view.header('content-type'))) throw new CipherlayerError('ERR_MALFORMED');
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch {
    throw new CipherlayerError('ERR_MALFORMED');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CipherlayerError('ERR_MALFORMED');
  const { aesKey, deviceId, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof aesKey !== 'string') throw new CipherlayerError('ERR_MALFORMED');
  if (
    deviceId !== undefined &&
    (typeof deviceId !== 'string' || deviceId.length === 0 || deviceId.length > 256)
  )
    throw new CipherlayerError('ERR_MALFORMED');
  const key = fromBase64Strict(aesKey);
  if (key.length !== KEY_BYTES) throw new CipherlayerError('ERR_MALFORMED');
  return { aesKey: key, deviceId };
}

/**
 * Phase 1, "initial token creation", exactly as the seed: the client sends
 * an AES key; the server takes an RSA key pair (from the pool: never made
 * here), makes a session id and a JWT with sessionId, deviceId and
 * ipAddress, stores the session with its TTL, and answers
 * `{encryptedData, iv, authTag}` of `{token, publicKey}` under the client's
 * key. The AES key travels in the clear inside TLS: anyone who reads this
 * request (the proxy the profile is meant to protect against) can read the
 * answer and so learn the token and the public key. See the docs.
 */
export function sessionCreation<Request>(settings: RsaSessionSettings<Request>): ProfileEndpoint<Request> {
  return {
    method: 'POST',
    path: settings.sessionPath,
    maxBodyBytes: 1024,
    async handle(view, body, request): Promise<EndpointAnswer> {
      const creation = readCreation(view, body);
      const headerDevice = settings.deviceId(request, view);
      if (creation.deviceId !== undefined && headerDevice !== undefined && creation.deviceId !== headerDevice)
        throw new CipherlayerError('ERR_MALFORMED');
      const deviceId = creation.deviceId ?? headerDevice;
      if (deviceId === undefined || deviceId.length === 0) throw new CipherlayerError('ERR_MALFORMED');
      const ipAddress = settings.ipAddress(request, view);
      if (ipAddress === undefined && settings.bindIp)
        throw new CipherlayerError('ERR_CONFIG', {
          detail: 'rsa-session binds sessions to the client address: give ipAddress(request) on this adapter',
        });
      const pair = await settings.pool.take();
      const sessionId = randomUUID();
      const expiresAt = settings.clock() + settings.ttlMs;
      const claims = { sessionId, deviceId, ipAddress: ipAddress ?? '' };
      const token = await settings.tokens.issue(claims, expiresAt);
      await settings.sessions.save({
        ...claims,
        privateKey: pair.privateKey,
        publicKey: pair.publicKey,
        expiresAt,
      });
      const answer = sealPayload(
        creation.aesKey,
        Buffer.from(JSON.stringify({ token, publicKey: pair.publicKey })),
        undefined,
      );
      creation.aesKey.fill(0);
      return { status: 200, contentType: 'application/json', body: answer };
    },
  };
}

/** Logout (not in the seed): DELETE on the session path with the session's token ends the session. */
export function sessionLogout<Request>(settings: RsaSessionSettings<Request>): ProfileEndpoint<Request> {
  return {
    method: 'DELETE',
    path: settings.sessionPath,
    maxBodyBytes: 0,
    async handle(view): Promise<EndpointAnswer> {
      const claims = await settings.tokens.verify(bearerToken(view.header('authorization')));
      await settings.sessions.revoke(claims.sessionId);
      return { status: 204, contentType: 'application/json', body: '' };
    },
  };
}
