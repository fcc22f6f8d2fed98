import { CipherlayerError } from '@cipherlayer/core';
import type { OpenedByProfile, ProfileRequest, ProfileSpec, ResponseSealer } from '@cipherlayer/server';
import { fromBase64Strict } from '../lib/base64.js';
import { isJsonMediaType, readEnvelope } from '../lib/json-envelope.js';
import { sessionCreation, sessionLogout } from './session-endpoint.js';
import type { SessionRecord } from './sessions.js';
import type { RsaSessionSettings } from './settings.js';
import { bearerToken } from './token.js';
import { openPayload, REQUEST_FIELDS, requestAad, responseAad, sealPayload, unwrapAesKey } from './wire.js';

const EMPTY = new Uint8Array(0);
/** An RSA-2048 ciphertext; a larger modulus gives a longer one. */
const MAX_WRAPPED_KEY_CHARS = 1400;

/** Phase 4: the answer sealed with the AES key of the request it answers. */
function sealerFor(key: Uint8Array, strict: boolean, method: string, target: string): ResponseSealer {
  return {
    seal(status, contentType, body) {
      if (body.length === 0) return null;
      // The seed's client JSON.parses what it opens: anything else cannot be sealed in this format.
      if (!isJsonMediaType(contentType)) throw new CipherlayerError('ERR_INTERNAL');
      const aad = strict ? responseAad(status, method, target) : undefined;
      return { contentType: 'application/json', body: sealPayload(key, body, aad) };
    },
  };
}

/**
 * The JWT is checked against the stored session on every request: the
 * session it names must exist, carry the same device and address, and the
 * request must come from that address (and, when it says, that device).
 */
function checkBinding<Request>(
  settings: RsaSessionSettings<Request>,
  record: SessionRecord,
  claims: { deviceId: string; ipAddress: string },
  view: ProfileRequest,
  request: Request,
): void {
  if (claims.deviceId !== record.deviceId || claims.ipAddress !== record.ipAddress)
    throw new CipherlayerError('ERR_SESSION_BINDING');
  if (settings.bindIp && settings.ipAddress(request, view) !== record.ipAddress)
    throw new CipherlayerError('ERR_SESSION_BINDING');
  const device = settings.deviceId(request, view);
  if (device === undefined ? settings.strict : device !== record.deviceId)
    throw new CipherlayerError('ERR_SESSION_BINDING');
}

/**
 * The rsa-session profile (seed 001), phases 2 to 5: a request carries
 * `{encryptedAesKey, encryptedData, iv, authTag}` (or, without a body, the
 * wrapped key alone in a header) and the session's JWT; its answer is sealed
 * with that request's AES key.
 */
export function rsaSessionSpec<Request>(
  name: string,
  settings: RsaSessionSettings<Request>,
): ProfileSpec<Request> {
  const { keyHeader, strict } = settings;
  const maxWireBytes = Math.ceil(((settings.maxBodyBytes + 16) * 4) / 3) + MAX_WRAPPED_KEY_CHARS + 256;
  return {
    name,
    maxBodyBytes: settings.maxBodyBytes,
    maxWireBytes,
    vary: `Content-Type, Authorization, ${keyHeader}`,
    logger: settings.logger,
    endpoints: [sessionCreation(settings), sessionLogout(settings)],
    intake(view) {
      if (view.hasBody) return isJsonMediaType(view.header('content-type')) ? 'body' : 'plaintext';
      return view.header(keyHeader) === undefined ? 'plaintext' : 'headers';
    },
    async open(view, body, request): Promise<OpenedByProfile | null> {
      let fields: Record<(typeof REQUEST_FIELDS)[number], string> | undefined;
      let wrappedText: string;
      if (body === undefined) {
        wrappedText = view.header(keyHeader) as string;
      } else {
        const envelope = readEnvelope(body, REQUEST_FIELDS);
        if (envelope === null) return null;
        // GCM: the ciphertext is as long as the plaintext. Refused before any token, store or RSA work.
        if (envelope.encryptedData.length > 4 * Math.ceil(settings.maxBodyBytes / 3))
          throw new CipherlayerError('ERR_TOO_LARGE');
        fields = envelope;
        wrappedText = envelope.encryptedAesKey;
      }
      if (wrappedText.length > MAX_WRAPPED_KEY_CHARS) throw new CipherlayerError('ERR_MALFORMED');
      // Cheap checks first: the token and the stored session, before any RSA operation.
      const claims = await settings.tokens.verify(bearerToken(view.header('authorization')));
      const record = await settings.sessions.load(claims.sessionId);
      checkBinding(settings, record, claims, view, request);
      const wrapped = fromBase64Strict(wrappedText);
      const key = unwrapAesKey(settings.sessions.privateKey(record), wrapped, settings.oaepHashes);
      const { method, target } = view;
      const plaintext =
        fields === undefined
          ? EMPTY
          : openPayload(key, fields, strict ? requestAad(method, target) : undefined);
      // Remembered once authenticated, so that a forged copy cannot use up the genuine message.
      if (strict) await settings.sessions.remember(record, wrapped);
      return {
        contentType: fields === undefined ? '' : 'application/json',
        body: plaintext,
        details: { deviceId: record.deviceId },
        sealer: sealerFor(key, strict, method, target),
        revoke: async () => {
          await settings.sessions.revoke(record.sessionId);
        },
      };
    },
  };
}
