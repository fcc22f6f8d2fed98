import type { AuditHook } from './audit.js';
import type { Database } from './db/database.js';
import type { Keyring } from './keyring.js';
import { DEFAULT_CACHE, type KeyCacheOptions } from './keys/key-cache.js';
import { KEY_SCOPE_POLICIES, type KeyScopePolicy } from './keys/scope.js';
import {
  configError,
  integerInRange,
  isPlainObject,
  nonEmptyString,
  oneOf,
  onlyKnownKeys,
  positiveNumber,
} from './lib/options.js';

export interface RecordsOptions {
  /** Where the keys and jobs tables live (and, usually, the data): `pgDatabase(pool)` or `pgliteDatabase(db)`. */
  readonly db: Database;
  /** Holds the KEK: LocalKeyring for development; a KMS, HSM or Vault keyring in production. */
  readonly keyring: Keyring;
  /** The schema of cipherlayer_keys, cipherlayer_jobs and cipherlayer_migrations (default: the search_path's). */
  readonly schema?: string;
  /** Which fields share a data key (default "tenant": one key per tenant, one global key for tables without tenants). */
  readonly keyScope?: KeyScopePolicy;
  /**
   * Fields one data key may encrypt before the scope rolls to a new key
   * (default 2^32, NIST SP 800-38D's limit for random 96-bit nonces).
   */
  readonly messageLimit?: number;
  /** Messages reserved per round trip to the keys table (default 65536, at most messageLimit). */
  readonly reserveBlock?: number;
  readonly cache?: KeyCacheOptions;
  /** Receives key use and decryption failures (never key bytes or plaintext). */
  readonly audit?: AuditHook;
  /** Create or update the package's tables when opening (default true). */
  readonly migrate?: boolean;
}

/**
 * 2^32: NIST SP 800-38D §8.3 caps invocations of one key with random 96-bit
 * IVs at 2^32, keeping the chance of a repeated nonce (which would expose the
 * GCM authentication key) below about 2^-33.
 */
export const DEFAULT_MESSAGE_LIMIT = 2 ** 32;
export const DEFAULT_RESERVE_BLOCK = 2 ** 16;

export interface CheckedRecordsOptions {
  readonly db: Database;
  readonly keyring: Keyring;
  readonly schema: string | undefined;
  readonly keyScope: KeyScopePolicy;
  readonly messageLimit: number;
  readonly reserveBlock: number;
  readonly maxAgeMs: number;
  readonly maxUses: number;
  readonly maxEntries: number;
  readonly audit: AuditHook | undefined;
  readonly migrate: boolean;
}

export function checkRecordsOptions(options: RecordsOptions): CheckedRecordsOptions {
  if (!isPlainObject(options as unknown)) throw configError('openRecords needs options: { db, keyring }');
  onlyKnownKeys('openRecords', options, [
    'db',
    'keyring',
    'schema',
    'keyScope',
    'messageLimit',
    'reserveBlock',
    'cache',
    'audit',
    'migrate',
  ]);
  const { db, keyring } = options;
  if (!isPlainObject(db as unknown) || typeof db.query !== 'function' || typeof db.transaction !== 'function')
    throw configError('openRecords db: pass pgDatabase(pool) or pgliteDatabase(pglite)');
  if (
    !isPlainObject(keyring as unknown) ||
    typeof keyring.wrap !== 'function' ||
    typeof keyring.unwrap !== 'function'
  )
    throw configError(
      'openRecords keyring: pass a Keyring (LocalKeyring in development; a KMS, HSM or Vault keyring in production)',
    );
  const messageLimit =
    options.messageLimit === undefined
      ? DEFAULT_MESSAGE_LIMIT
      : integerInRange('openRecords messageLimit', options.messageLimit, 1, DEFAULT_MESSAGE_LIMIT);
  const reserveBlock =
    options.reserveBlock === undefined
      ? Math.min(DEFAULT_RESERVE_BLOCK, messageLimit)
      : integerInRange('openRecords reserveBlock', options.reserveBlock, 1, messageLimit);
  const cache = options.cache ?? {};
  if (!isPlainObject(cache as unknown))
    throw configError('openRecords cache must be an object: { maxAgeMs?, maxUses?, maxEntries? }');
  onlyKnownKeys('openRecords cache', cache, ['maxAgeMs', 'maxUses', 'maxEntries']);
  if (options.audit !== undefined && typeof options.audit !== 'function')
    throw configError('openRecords audit must be a function (event) => void');
  if (options.migrate !== undefined && typeof options.migrate !== 'boolean')
    throw configError('openRecords migrate must be true or false');
  return {
    db,
    keyring,
    schema: options.schema === undefined ? undefined : nonEmptyString('openRecords schema', options.schema),
    keyScope:
      options.keyScope === undefined
        ? 'tenant'
        : oneOf('openRecords keyScope', options.keyScope, KEY_SCOPE_POLICIES),
    messageLimit,
    reserveBlock,
    maxAgeMs:
      cache.maxAgeMs === undefined
        ? DEFAULT_CACHE.maxAgeMs
        : positiveNumber('openRecords cache.maxAgeMs', cache.maxAgeMs),
    maxUses:
      cache.maxUses === undefined
        ? DEFAULT_CACHE.maxUses
        : positiveNumber('openRecords cache.maxUses', cache.maxUses),
    maxEntries:
      cache.maxEntries === undefined
        ? DEFAULT_CACHE.maxEntries
        : integerInRange('openRecords cache.maxEntries', cache.maxEntries, 1, 1_000_000),
    audit: options.audit,
    migrate: options.migrate ?? true,
  };
}
