import type { BlindIndexer, IndexTarget } from '../blind-index/blind-index.js';
import type { Row } from '../db/database.js';
import type { FieldCipher } from '../fields/field-cipher.js';
import { toSealedText } from '../format/field-ciphertext.js';
import type { FieldContext } from '../format/field-context.js';
import type { FieldValue } from '../format/values.js';
import type { ResolvedField, ResolvedTable } from './definition.js';

/** The row id and tenant as the encryption context has them (strings). */
export interface RowIdentity {
  readonly row: string | undefined;
  readonly tenant: string | undefined;
}

function asContextString(table: string, what: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')
    return String(value);
  throw new TypeError(`${table}: the ${what} must be a string, a number or a bigint`);
}

export function identityOf(table: ResolvedTable, row: Row): RowIdentity {
  const id = asContextString(table.table, 'row id', row[table.id.key]);
  if (table.bindRow && id === undefined)
    throw new TypeError(
      `${table.table}: "${table.id.key}" is needed before a row is encrypted (the row id is part of each field's encryption context)`,
    );
  const tenant =
    table.tenant === undefined ? undefined : asContextString(table.table, 'tenant', row[table.tenant.key]);
  if (table.tenant !== undefined && tenant === undefined)
    throw new TypeError(
      `${table.table}: "${table.tenant.key}" is needed (the tenant is part of each field's encryption context)`,
    );
  return { row: table.bindRow ? id : undefined, tenant };
}

export function fieldContext(
  table: ResolvedTable,
  field: ResolvedField,
  identity: RowIdentity,
): FieldContext {
  // One shape for every field (no conditional spreads): this is built per field on the hot path.
  return { table: table.table, column: field.column, row: identity.row, tenant: identity.tenant };
}

export function indexTarget(
  table: ResolvedTable,
  field: ResolvedField,
  tenant: string | undefined,
): IndexTarget {
  const index = field.index as NonNullable<ResolvedField['index']>;
  return {
    table: table.table,
    column: field.column,
    tenant: index.perTenant ? tenant : undefined,
    type: field.type,
    bits: index.bits,
    normalize: index.normalize,
  };
}

/**
 * Encrypts and decrypts the fields of whole rows. Keys the definition does
 * not name pass through unchanged (plaintext columns).
 */
export class RowCodec {
  readonly #cipher: FieldCipher;
  readonly #indexer: BlindIndexer;

  constructor(cipher: FieldCipher, indexer: BlindIndexer) {
    this.#cipher = cipher;
    this.#indexer = indexer;
  }

  /** A copy of `row` with each defined field that it holds encrypted, and its blind index filled in. */
  async encrypt(table: ResolvedTable, row: Row): Promise<Row> {
    return this.encryptNow(table, row);
  }

  /**
   * encrypt, synchronously while the data and index keys are in memory (the
   * bulk insert path): a promise only when a key must first be fetched.
   */
  encryptNow(table: ResolvedTable, row: Row): Row | Promise<Row> {
    const out: Row = { ...row };
    const identity = identityOf(table, row);
    const { fields } = table;
    for (let i = 0; i < fields.length; i++) {
      const pending = this.#encryptField(table, fields[i] as ResolvedField, row, identity, out);
      if (pending !== undefined) return this.#encryptRest(table, row, identity, out, i, pending);
    }
    return out;
  }

  async #encryptRest(
    table: ResolvedTable,
    row: Row,
    identity: RowIdentity,
    out: Row,
    done: number,
    pending: Promise<void>,
  ): Promise<Row> {
    await pending;
    const { fields } = table;
    for (let i = done + 1; i < fields.length; i++) {
      const next = this.#encryptField(table, fields[i] as ResolvedField, row, identity, out);
      if (next !== undefined) await next;
    }
    return out;
  }

  /** Seals one field into `out` (and its blind index): undefined when done synchronously. */
  #encryptField(
    table: ResolvedTable,
    field: ResolvedField,
    row: Row,
    identity: RowIdentity,
    out: Row,
  ): Promise<void> | undefined {
    if (!(field.key in row)) return undefined;
    const value = (row[field.key] ?? null) as FieldValue | null;
    const sealed = this.#cipher.sealNow(value, fieldContext(table, field, identity), field);
    if (sealed instanceof Promise)
      return sealed.then((s) => this.#store(table, field, value, identity, out, s));
    return this.#store(table, field, value, identity, out, sealed);
  }

  #store(
    table: ResolvedTable,
    field: ResolvedField,
    value: FieldValue | null,
    identity: RowIdentity,
    out: Row,
    sealed: Buffer | null,
  ): Promise<void> | undefined {
    out[field.key] = sealed === null || field.storage === 'bytea' ? sealed : toSealedText(sealed);
    const index = field.index;
    if (index === undefined) return undefined;
    if (value === null) {
      out[index.key] = null;
      return undefined;
    }
    const computed = this.#indexer.forWriteNow(indexTarget(table, field, identity.tenant), value);
    if (computed instanceof Promise)
      return computed.then((v) => {
        out[index.key] = v;
      });
    out[index.key] = computed;
    return undefined;
  }

  /** A copy of `row` with each defined field decrypted and the blind index columns left out. */
  async decrypt(table: ResolvedTable, row: Row): Promise<Row> {
    const out: Row = { ...row };
    const identity = identityOf(table, row);
    for (const field of table.fields) {
      if (field.index !== undefined) delete out[field.index.key];
      if (!(field.key in row)) continue;
      out[field.key] = await this.#cipher.open(
        row[field.key] as string | Uint8Array | null,
        fieldContext(table, field, identity),
      );
    }
    return out;
  }
}
