import { generateKeyPairSync } from 'node:crypto';
import { JweKeySet, jwe } from '@cipherlayer/profiles/jwe';
import { type RsaKeyPair, RsaKeyPool, rsaSession } from '@cipherlayer/profiles/rsa-session';
import { staticKey } from '@cipherlayer/profiles/static-key';
import type { Profile } from '@cipherlayer/server';
import type { ServerSpec } from './spec.js';

/**
 * The profiles of @cipherlayer/profiles as a user sets them up, each with its
 * defaults (compatible mode: what the seed's own client sends), for either
 * framework. `settle` resolves once the profile has no background work
 * pending: the rsa-session pool full again, so that a run of session
 * creations starts from a full pool and the CPU of refilling it is counted
 * in the run that emptied it.
 */

export interface BenchProfile<Request> {
  readonly profile: Profile<Request>;
  readonly settle: () => Promise<void>;
}

/**
 * Seed 001 without the pool: every session creation makes its RSA-2048 key
 * pair on the request path, synchronously, as the seed's server does. The
 * profile has no option for that (it never generates on the request path),
 * so the bench hands it a pool whose `take` generates.
 */
export class OnDemandRsaKeys extends RsaKeyPool {
  constructor() {
    super({ size: 1, prefill: false });
  }

  override take(): RsaKeyPair {
    return generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
  }

  override filled(): Promise<void> {
    return Promise.resolve();
  }
}

const idle = () => Promise.resolve();

/** The profile of a `rsa-session`, `static-key` or `profile-jwe` spec. */
export async function benchProfile<Request>(spec: ServerSpec): Promise<BenchProfile<Request>> {
  switch (spec.scheme) {
    case 'rsa-session': {
      const pool = spec.rsaPool === false ? new OnDemandRsaKeys() : new RsaKeyPool();
      // A fresh secret per server process: the bench's client gets its token from the session creation.
      const jwtSecret = crypto.getRandomValues(new Uint8Array(32));
      return { profile: rsaSession<Request>({ jwtSecret, pool }), settle: () => pool.filled() };
    }
    case 'static-key':
      // The seed as written: the one key from AES_KEY (the same key as the floor and seed 002).
      return { profile: staticKey<Request>({ key: process.env.AES_KEY as string }), settle: idle };
    case 'profile-jwe': {
      const keys = await JweKeySet.from([{ privateKey: spec.jwePrivateKey as string }]);
      return { profile: jwe<Request>({ keys }), settle: idle };
    }
    default:
      throw new Error(`${spec.scheme} is not a profile`);
  }
}

export function isProfileScheme(scheme: ServerSpec['scheme']): boolean {
  return scheme === 'rsa-session' || scheme === 'static-key' || scheme === 'profile-jwe';
}
