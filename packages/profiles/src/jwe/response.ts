import type { ResponseSealer } from '@cipherlayer/server';
import { CompactEncrypt, importJWK, type JWK } from 'jose';
import type { JweServerKey } from './keys.js';

/** The media type of a compact JWE (RFC 7516, section 9.2.1). */
export const JOSE_MEDIA_TYPE = 'application/jose';

/**
 * An encrypted answer (seed 004 answers in the clear): a compact JWE,
 * ECDH-ES with A256GCM, to the public key the client put in its request's
 * protected header (`rjwk`, fresh per request), with the server's own key,
 * the one the request was sealed to, as the sender's key (`epk`) instead of
 * an ephemeral one. The protected header is readable by anyone on the path,
 * so an ephemeral sender key would let anyone there seal an answer that
 * opens; with the server's key only the server can, and the client checks
 * that `epk` is the key it sealed to. The answer's status and content type
 * are in its protected header, authenticated; in strict mode also the
 * request's `jti`.
 */
export function responseSealer(
  rjwk: JWK,
  serverKey: JweServerKey,
  requestId: string | undefined,
): ResponseSealer {
  return {
    async seal(status, contentType, body) {
      if (body.length === 0) return null;
      const header: Record<string, unknown> = { alg: 'ECDH-ES', enc: 'A256GCM', kid: serverKey.kid, status };
      if (contentType !== '') header.cty = contentType;
      if (requestId !== undefined) header.rid = requestId;
      const token = await new CompactEncrypt(body)
        .setProtectedHeader(header as never)
        .setKeyManagementParameters({ epk: await serverKey.answerKey() })
        .encrypt(await importJWK(rjwk, 'ECDH-ES'));
      return { contentType: JOSE_MEDIA_TYPE, body: token };
    },
  };
}
