import { CipherlayerError } from '@cipherlayer/core';
import { errors, jwtVerify, SignJWT } from 'jose';

/** What seed 001's JWT carries: the session it opens, and what that session is bound to. */
export interface SessionClaims {
  readonly sessionId: string;
  readonly deviceId: string;
  readonly ipAddress: string;
}

/**
 * The session token, HS256 with `jose`, as the seed describes ("a JWT with
 * sessionId, deviceId, ipAddress"): `iat` and `exp` added, so that a token
 * never outlives its session. The secret comes from the options, never
 * from source.
 */
export class SessionTokens {
  readonly #secret: Uint8Array;
  readonly #clock: () => number;

  constructor(secret: Uint8Array, clock: () => number) {
    this.#secret = secret;
    this.#clock = clock;
  }

  async issue(claims: SessionClaims, expiresAt: number): Promise<string> {
    return await new SignJWT({
      sessionId: claims.sessionId,
      deviceId: claims.deviceId,
      ipAddress: claims.ipAddress,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(Math.floor(this.#clock() / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.#secret);
  }

  /**
   * The claims of a valid token: HS256 only (never `none`, never another
   * algorithm), signature, expiry. An expired token is ERR_SESSION_EXPIRED;
   * anything else wrong is ERR_SESSION_UNKNOWN, with no detail.
   */
  async verify(token: string): Promise<SessionClaims> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.#secret, {
        algorithms: ['HS256'],
        currentDate: new Date(this.#clock()),
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (cause) {
      throw new CipherlayerError(
        cause instanceof errors.JWTExpired ? 'ERR_SESSION_EXPIRED' : 'ERR_SESSION_UNKNOWN',
        {
          cause,
        },
      );
    }
    const { sessionId, deviceId, ipAddress } = payload;
    if (typeof sessionId !== 'string' || typeof deviceId !== 'string' || typeof ipAddress !== 'string')
      throw new CipherlayerError('ERR_SESSION_UNKNOWN');
    return { sessionId, deviceId, ipAddress };
  }
}

/** The token of a request: `Authorization: Bearer <token>`. */
export function bearerToken(header: string | undefined): string {
  const match = header === undefined ? null : /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim());
  if (match === null) throw new CipherlayerError('ERR_SESSION_UNKNOWN');
  return match[1] as string;
}
