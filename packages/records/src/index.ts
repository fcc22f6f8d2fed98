export type { AuditEvent, AuditHook } from './audit.js';
export type { Normalization, NormalizationStep } from './blind-index/normalize.js';
export type { Database, Row, SqlClient } from './db/database.js';
export { migrate } from './db/migrations.js';
export { type PgDatabaseOptions, pgDatabase } from './db/pg.js';
export { type PgliteDatabaseOptions, pgliteDatabase } from './db/pglite.js';
export {
  connectPostgres,
  type PostgresConnectionOptions,
  type PostgresTlsOptions,
  postgresConfig,
} from './db/postgres-tls.js';
export type { SealOptions } from './fields/field-cipher.js';
export {
  isSealedField,
  type ParsedFieldCiphertext,
  parseFieldCiphertext,
  type SealedText,
  TEXT_PREFIX,
} from './format/field-ciphertext.js';
export type { FieldContext } from './format/field-context.js';
export type { FieldType, FieldValue, JsonValue } from './format/values.js';
export type { EncryptionContext, Keyring, WrappedKey } from './keyring.js';
export { type AwsKmsCredentials, AwsKmsKeyring, type AwsKmsKeyringOptions } from './keyrings/aws-kms.js';
export { type LocalKek, LocalKeyring, type LocalKeyringOptions } from './keyrings/local.js';
export { MultiKeyring, type MultiKeyringOptions } from './keyrings/multi.js';
export {
  Pkcs11Keyring,
  type Pkcs11KeyringOptions,
  type Pkcs11Mechanism,
  type Pkcs11SessionStats,
} from './keyrings/pkcs11.js';
export {
  type VaultContextBinding,
  type VaultTlsOptions,
  VaultTransitKeyring,
  type VaultTransitKeyringOptions,
} from './keyrings/vault.js';
export type { KeyCacheOptions } from './keys/key-cache.js';
export type { KeyFilter, KeyRecord, KeyState } from './keys/key-store.js';
export type { KeyPurpose, KeyScopePolicy } from './keys/scope.js';
export { encodeEncryptionContext } from './lib/encryption-context.js';
export { openRecords, Records } from './records.js';
export { DEFAULT_MESSAGE_LIMIT, type RecordsOptions } from './records-options.js';
export type { JobProblem, JobState } from './rotation/job-store.js';
export type { KekRotationOptions, KekRotationResult } from './rotation/kek-rotation.js';
export type { JobProgress, JobResult, ReencryptJob, ReencryptJobOptions } from './rotation/reencrypt-job.js';
export type { VerifyOptions, VerifyReport } from './rotation/verify.js';
export type {
  BlindIndexDefinition,
  ColumnRef,
  FieldDefinition,
  TableDefinition,
} from './table/definition.js';
export type { ClientOption, EncryptedTable, InsertManyOptions, RowKey } from './table/encrypted-table.js';
