import type { Logger, ProfileRequest } from '@cipherlayer/server';
import type { RsaKeyPool } from './key-pool.js';
import type { RsaSessions } from './sessions.js';
import type { SessionTokens } from './token.js';
import type { OaepHash } from './wire.js';

/** The profile's options, checked and resolved once. */
export interface RsaSessionSettings<Request> {
  readonly tokens: SessionTokens;
  readonly sessions: RsaSessions;
  readonly pool: RsaKeyPool;
  readonly ttlMs: number;
  /** Strict mode: AAD binding, a replay cache on wrapped keys, OAEP-SHA256 only, the device header required. */
  readonly strict: boolean;
  readonly oaepHashes: readonly OaepHash[];
  readonly deviceId: (request: Request, view: ProfileRequest) => string | undefined;
  readonly ipAddress: (request: Request, view: ProfileRequest) => string | undefined;
  readonly bindIp: boolean;
  readonly keyHeader: string;
  readonly sessionPath: string;
  readonly maxBodyBytes: number;
  readonly clock: () => number;
  readonly logger: Logger | undefined;
}
