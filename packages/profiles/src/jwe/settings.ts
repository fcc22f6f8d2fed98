import type { Logger } from '@cipherlayer/server';
import type { ProfileStore } from '../stores/profile-store.js';
import type { ContentEncryptionAlgorithm, KeyManagementAlgorithm } from './algorithms.js';
import type { JweKeySet } from './keys.js';

/** The jwe profile's options, checked and resolved once. */
export interface JweSettings {
  readonly keys: () => JweKeySet;
  readonly algorithms: readonly KeyManagementAlgorithm[];
  readonly encryptions: readonly ContentEncryptionAlgorithm[];
  /** Strict mode: iat, jti, htm and htu required in the protected header, jti remembered, answers sealed. */
  readonly strict: boolean;
  /** Accept `application/json` bodies `{ [jsonField]: "<compact JWE>" }` as well as `application/jose`; undefined: not. */
  readonly jsonField: string | undefined;
  /** The header of bodiless requests. */
  readonly header: string;
  readonly jwksPath: string | undefined;
  readonly maxBodyBytes: number;
  readonly maxSkewMs: number;
  readonly store: ProfileStore;
  readonly clock: () => number;
  readonly logger: Logger | undefined;
}
