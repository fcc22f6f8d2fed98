import { type Normalization, normalizer } from '../blind-index/normalize.js';
import { qualifiedName, quoteIdentifier } from '../db/identifiers.js';
import { FIELD_TYPES, type FieldType } from '../format/values.js';
import {
  configError,
  integerInRange,
  isPlainObject,
  nonEmptyString,
  oneOf,
  onlyKnownKeys,
} from '../lib/options.js';

/**
 * Which columns of a table are encrypted, and how. Keys are the row's
 * property names; `column` gives the SQL column when it differs. The table
 * and column names are part of every field's encryption context, so renaming
 * either means re-encrypting (or keeping the old name in `column`/`table`).
 */
export interface TableDefinition {
  /** The SQL table, and the table name in the encryption context. */
  readonly table: string;
  /** For SQL only (not authenticated): a table moved to another schema still decrypts. */
  readonly schema?: string;
  /** The primary key (a single column). Its value must be known before a row is written. */
  readonly id: string | ColumnRef;
  /** The tenant column, when rows belong to tenants. */
  readonly tenant?: string | ColumnRef;
  /**
   * Bind each field to its row (default true). Off, a ciphertext can be moved
   * between rows of the same column and tenant; use it only for tables whose
   * ids are assigned by the database after the insert.
   */
  readonly bindRow?: boolean;
  readonly fields: Readonly<Record<string, FieldDefinition>>;
}

export interface ColumnRef {
  readonly key: string;
  readonly column: string;
}

export interface FieldDefinition {
  readonly type: FieldType;
  readonly column?: string;
  /** "text" (default): "clr1." + base64url; "bytea": the binary form. */
  readonly storage?: 'text' | 'bytea';
  /** Encrypt null too, so the column never shows which rows are empty (default false: null stays SQL NULL). */
  readonly encryptNull?: boolean;
  readonly blindIndex?: BlindIndexDefinition;
}

export interface BlindIndexDefinition {
  /** The row key holding the index value (a text column). */
  readonly key: string;
  readonly column?: string;
  readonly normalize?: Normalization;
  /**
   * Bits kept of the HMAC (default 32). Fewer bits: more false positives
   * (filtered out after decryption) and less said about equal values; see
   * the README's "Blind indexes and what they leak".
   */
  readonly bits?: number;
  /** Derive the index key per tenant, so equal values of two tenants do not match (default: when the table has a tenant). */
  readonly perTenant?: boolean;
}

export interface ResolvedIndex {
  readonly key: string;
  readonly column: string;
  readonly bits: number;
  readonly perTenant: boolean;
  readonly normalize: (value: string) => string;
}

export interface ResolvedField {
  readonly key: string;
  readonly column: string;
  readonly type: FieldType;
  readonly storage: 'text' | 'bytea';
  readonly encryptNull: boolean;
  readonly index: ResolvedIndex | undefined;
}

export interface ResolvedTable {
  readonly table: string;
  readonly schema: string | undefined;
  /** schema.table, quoted, for SQL. */
  readonly sqlName: string;
  readonly id: ColumnRef;
  readonly tenant: ColumnRef | undefined;
  readonly bindRow: boolean;
  readonly fields: readonly ResolvedField[];
  /** Every row key this definition knows, mapped to its SQL column. */
  readonly columns: ReadonlyMap<string, string>;
}

export const DEFAULT_INDEX_BITS = 32;

function columnRef(where: string, value: unknown): ColumnRef {
  if (typeof value === 'string') return { key: nonEmptyString(where, value), column: value };
  if (isPlainObject(value)) {
    onlyKnownKeys(where, value, ['key', 'column']);
    return {
      key: nonEmptyString(`${where}.key`, value.key),
      column: nonEmptyString(`${where}.column`, value.column),
    };
  }
  throw configError(`${where} must be a row key, or { key, column }`);
}

function resolveIndex(where: string, value: unknown, hasTenant: boolean): ResolvedIndex {
  if (!isPlainObject(value))
    throw configError(`${where} must be an object: { key, normalize?, bits?, perTenant? }`);
  onlyKnownKeys(where, value, ['key', 'column', 'normalize', 'bits', 'perTenant']);
  const key = nonEmptyString(`${where}.key`, value.key);
  const perTenant = value.perTenant === undefined ? hasTenant : value.perTenant;
  if (typeof perTenant !== 'boolean') throw configError(`${where}.perTenant must be true or false`);
  if (perTenant && !hasTenant)
    throw configError(
      `${where}.perTenant needs a tenant column: add "tenant" to the table definition or drop perTenant`,
    );
  return {
    key,
    column: value.column === undefined ? key : nonEmptyString(`${where}.column`, value.column),
    bits: value.bits === undefined ? DEFAULT_INDEX_BITS : integerInRange(`${where}.bits`, value.bits, 8, 256),
    perTenant,
    normalize: normalizer(where, value.normalize as Normalization | undefined),
  };
}

function resolveField(where: string, key: string, value: unknown, hasTenant: boolean): ResolvedField {
  if (!isPlainObject(value))
    throw configError(`${where} must be an object: { type, column?, storage?, encryptNull?, blindIndex? }`);
  onlyKnownKeys(where, value, ['type', 'column', 'storage', 'encryptNull', 'blindIndex']);
  const encryptNull = value.encryptNull ?? false;
  if (typeof encryptNull !== 'boolean') throw configError(`${where}.encryptNull must be true or false`);
  return {
    key,
    column: value.column === undefined ? key : nonEmptyString(`${where}.column`, value.column),
    type: oneOf(`${where}.type`, value.type, FIELD_TYPES),
    storage:
      value.storage === undefined
        ? 'text'
        : oneOf(`${where}.storage`, value.storage, ['text', 'bytea'] as const),
    encryptNull,
    index:
      value.blindIndex === undefined
        ? undefined
        : resolveIndex(`${where}.blindIndex`, value.blindIndex, hasTenant),
  };
}

/** Checks a definition once, with messages that say what to change. */
export function resolveTable(definition: TableDefinition): ResolvedTable {
  if (!isPlainObject(definition as unknown))
    throw configError('a table definition must be an object: { table, id, fields }');
  onlyKnownKeys('table definition', definition, ['table', 'schema', 'id', 'tenant', 'bindRow', 'fields']);
  const table = nonEmptyString('table definition: table', definition.table);
  const where = `table ${table}`;
  quoteIdentifier(table);
  const schema =
    definition.schema === undefined ? undefined : nonEmptyString(`${where}: schema`, definition.schema);
  const id = columnRef(`${where}: id`, definition.id);
  const tenant =
    definition.tenant === undefined ? undefined : columnRef(`${where}: tenant`, definition.tenant);
  const bindRow = definition.bindRow ?? true;
  if (typeof bindRow !== 'boolean') throw configError(`${where}: bindRow must be true or false`);
  if (!isPlainObject(definition.fields as unknown) || Object.keys(definition.fields).length === 0)
    throw configError(`${where}: fields must name at least one encrypted field`);
  const fields = Object.entries(definition.fields).map(([key, value]) =>
    resolveField(`${where}: fields.${key}`, key, value, tenant !== undefined),
  );

  const columns = new Map<string, string>();
  const seen = new Map<string, string>();
  const claim = (key: string, column: string, what: string) => {
    if (columns.has(key)) throw configError(`${where}: the row key "${key}" is used twice (${what})`);
    const other = seen.get(column);
    if (other !== undefined)
      throw configError(`${where}: the column "${column}" is used by ${other} and by ${what}`);
    quoteIdentifier(column);
    columns.set(key, column);
    seen.set(column, what);
  };
  claim(id.key, id.column, 'the id');
  if (tenant) claim(tenant.key, tenant.column, 'the tenant');
  for (const field of fields) {
    claim(field.key, field.column, `field ${field.key}`);
    if (field.index) claim(field.index.key, field.index.column, `the blind index of ${field.key}`);
  }
  return { table, schema, sqlName: qualifiedName(schema, table), id, tenant, bindRow, fields, columns };
}
