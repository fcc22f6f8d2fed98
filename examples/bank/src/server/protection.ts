import { importServerKeySet, runFlow } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { JweKeySet, jwe } from '@cipherlayer/profiles/jwe';
import { RsaKeyPool, rsaSession } from '@cipherlayer/profiles/rsa-session';
import { StaticKeySessions, staticKey } from '@cipherlayer/profiles/static-key';
import { type Cipherlayer, createCipherlayer, type Profile } from '@cipherlayer/server';
import type { FastifyRequest } from 'fastify';
import { loginCookie, loginId } from './auth.js';
import type { BankSecrets } from './secrets.js';
import type { StateStores } from './state-stores.js';

/** The seed profiles the page can switch the data routes to, for comparison with cl1. */
export const SEED_PROFILES = ['rsa-session', 'static-key', 'jwe'] as const;
export type SeedProfile = (typeof SEED_PROFILES)[number];

export interface Protection {
  /** cl1: every /api route, in session mode from the page. */
  readonly engine: Cipherlayer<FastifyRequest>;
  readonly profiles: readonly Profile<FastifyRequest>[];
  /** static-key's per-login keys, granted at login. */
  readonly staticKeys: StaticKeySessions;
  close(): Promise<void>;
}

/** The login a request belongs to (SHA-256 of its cookie), or undefined. */
export function loginOf(request: FastifyRequest): string | undefined {
  const token = loginCookie(request.headers.cookie);
  return token === undefined ? undefined : loginId(token);
}

export interface ProtectionSettings {
  readonly secrets: BankSecrets;
  readonly stores: StateStores;
  readonly sessionTtlMs: number;
  /** static-key's session keys live as long as the login they were granted at. */
  readonly loginTtlMs: number;
  readonly clock: (() => number) | undefined;
}

export async function createProtection(settings: ProtectionSettings): Promise<Protection> {
  const { secrets, stores, clock } = settings;
  const timing = clock === undefined ? {} : { clock };
  const engine = createCipherlayer<FastifyRequest>({
    keys: runFlow(nodeBackend, importServerKeySet(secrets.cl1Keys)),
    session: { ttlMs: settings.sessionTtlMs },
    ...(stores.sessionStore === undefined ? {} : { sessionStore: stores.sessionStore }),
    ...(stores.replayCache === undefined ? {} : { replayCache: stores.replayCache }),
    // A session is bound to the login it was used with: a request of the session with another
    // login cookie (or none, after logout) is refused before the app runs (401 ERR_SESSION_BINDING).
    sessionAttributes: (request) => {
      const login = loginOf(request);
      return login === undefined ? {} : { login };
    },
    ...timing,
  });

  const store = stores.profileStore === undefined ? {} : { store: stores.profileStore };
  // A small pool, filled on first use: the demo makes few rsa-session sessions, and each RSA-2048 key
  // costs about 160 ms of CPU.
  const pool = new RsaKeyPool({ size: 2, lowWater: 1, prefill: false });
  const staticKeys = new StaticKeySessions({ ...store, ttlMs: settings.loginTtlMs, ...timing });
  const profiles = [
    // Our client is the one in the page, so the profiles run in their strict modes (method, target and
    // status authenticated; each wrapped key or JWE accepted once).
    rsaSession<FastifyRequest>({
      jwtSecret: Buffer.from(secrets.rsaJwtSecret, 'base64url'),
      mode: 'strict',
      pool,
      ...store,
      ...timing,
    }),
    staticKey<FastifyRequest>({ sessions: staticKeys, keyId: (request) => loginOf(request) }),
    jwe<FastifyRequest>({
      keys: await JweKeySet.from([{ privateKey: secrets.jwePrivateKey }]),
      mode: 'strict',
      ...store,
      ...timing,
    }),
  ];
  return { engine, profiles, staticKeys, close: () => pool.close() };
}
