import { type AuditSink, auditSink } from './audit.js';
import { BlindIndexer } from './blind-index/blind-index.js';
import type { Database } from './db/database.js';
import { migrate, packageTables } from './db/migrations.js';
import { FieldCipher, type SealOptions } from './fields/field-cipher.js';
import type { SealedText } from './format/field-ciphertext.js';
import type { FieldContext } from './format/field-context.js';
import type { FieldValue } from './format/values.js';
import { KeyHierarchy } from './keys/key-hierarchy.js';
import { type KeyFilter, type KeyRecord, KeyStore } from './keys/key-store.js';
import { checkRecordsOptions, type RecordsOptions } from './records-options.js';
import { JobStore } from './rotation/job-store.js';
import { type KekRotationOptions, type KekRotationResult, rotateKek } from './rotation/kek-rotation.js';
import { ReencryptJob, type ReencryptJobOptions } from './rotation/reencrypt-job.js';
import { type VerifyOptions, type VerifyReport, verifyTable } from './rotation/verify.js';
import { resolveTable, type TableDefinition } from './table/definition.js';
import { EncryptedTable } from './table/encrypted-table.js';
import { RowCodec } from './table/row-codec.js';

/**
 * Field-level envelope encryption over one database: the keys table, the
 * key caches, the field cipher and blind indexes, the table helper, and the
 * rotation operations. Made by `openRecords`, closed by `close()`.
 */
export class Records {
  readonly db: Database;
  readonly keys: KeyHierarchy;
  readonly #cipher: FieldCipher;
  readonly #indexer: BlindIndexer;
  readonly #codec: RowCodec;
  readonly #jobs: JobStore;
  readonly #audit: AuditSink;

  /** Use openRecords(). */
  constructor(db: Database, keys: KeyHierarchy, jobs: JobStore, audit: AuditSink) {
    this.db = db;
    this.keys = keys;
    this.#jobs = jobs;
    this.#audit = audit;
    this.#cipher = new FieldCipher(keys, audit);
    this.#indexer = new BlindIndexer(keys);
    this.#codec = new RowCodec(this.#cipher, this.#indexer);
  }

  /** One field, text form ("clr1." + base64url). Null stays null unless `encryptNull`. */
  encrypt(
    value: FieldValue | null,
    context: FieldContext,
    options?: SealOptions,
  ): Promise<SealedText | null> {
    return this.#cipher.seal(value, context, options);
  }

  /** One field, binary form (bytea). */
  encryptToBytes(
    value: FieldValue | null,
    context: FieldContext,
    options?: SealOptions,
  ): Promise<Uint8Array | null> {
    return this.#cipher.sealBytes(value, context, options);
  }

  /** Either form back to the value written; the context must be the one it was written with. */
  decrypt(ciphertext: string | Uint8Array | null, context: FieldContext): Promise<FieldValue | null> {
    return this.#cipher.open(ciphertext, context);
  }

  /** The plain `pg` helper for one table (definitions are checked here, once). */
  table(definition: TableDefinition): EncryptedTable {
    return new EncryptedTable(resolveTable(definition), this.db, this.#codec, this.#indexer);
  }

  /** The keys table: states, generations, message counts. */
  listKeys(filter?: KeyFilter): Promise<KeyRecord[]> {
    return this.keys.store.list(filter);
  }

  /** Data key rotation, step 1: active keys become retiring; new fields get new keys. Then run `reencrypt`. */
  rotateDataKeys(filter?: { readonly table?: string; readonly tenant?: string }): Promise<KeyRecord[]> {
    return this.keys.rotateDataKeys(filter);
  }

  /** A new index root generation; lookups query both until `reencrypt` re-indexes and the old one is retired. */
  rotateIndexKey(): Promise<KeyRecord[]> {
    return this.keys.rotateIndexKey();
  }

  /** KEK rotation: re-wraps keys under the keyring's current KEK; no field is touched. */
  rotateKek(options?: KekRotationOptions): Promise<KekRotationResult> {
    return rotateKek(this.keys, this.#audit, options);
  }

  /** Data key rotation, step 2: the resumable re-encryption job for one table. Call `run()` on it. */
  reencrypt(table: EncryptedTable, options: ReencryptJobOptions): ReencryptJob {
    return new ReencryptJob(
      { db: this.db, jobs: this.#jobs, keys: this.keys, cipher: this.#cipher, indexer: this.#indexer },
      table.definition,
      options,
    );
  }

  /** Decrypts every field of a table and reports what each key still encrypts; changes nothing. */
  verify(table: EncryptedTable, options?: VerifyOptions): Promise<VerifyReport> {
    return verifyTable(
      { db: this.db, keys: this.keys, cipher: this.#cipher, indexer: this.#indexer },
      table.definition,
      options,
    );
  }

  /** Retires keys (data or index) that are retiring: they stop decrypting. Run `verify` on every table first. */
  retireKeys(ids: readonly string[]): Promise<string[]> {
    return this.keys.retire(ids);
  }

  /**
   * Drops unwrapped keys from memory and closes the database if its adapter
   * owns it. The keyring is yours to close: several Records may share it.
   */
  async close(): Promise<void> {
    this.keys.forget();
    await this.db.close();
  }
}

/** Checks the options once, runs the migrations (unless told not to), and returns the records object. */
export async function openRecords(options: RecordsOptions): Promise<Records> {
  const checked = checkRecordsOptions(options);
  if (checked.migrate) await migrate(checked.db, checked.schema);
  const tables = packageTables(checked.schema);
  const audit = auditSink(checked.audit);
  const keys = new KeyHierarchy(
    new KeyStore(checked.db, tables),
    checked.keyring,
    {
      policy: checked.keyScope,
      messageLimit: checked.messageLimit,
      reserveBlock: checked.reserveBlock,
      maxAgeMs: checked.maxAgeMs,
      maxUses: checked.maxUses,
      maxEntries: checked.maxEntries,
    },
    audit,
  );
  return new Records(checked.db, keys, new JobStore(checked.db, tables), audit);
}
