import type { BlindIndexer } from '../blind-index/blind-index.js';
import type { Database, Row, SqlClient } from '../db/database.js';
import { quoteIdentifier } from '../db/identifiers.js';
import type { FieldValue } from '../format/values.js';
import type { ResolvedField, ResolvedTable } from './definition.js';
import { sameValue } from './equality.js';
import { indexTarget, type RowCodec } from './row-codec.js';

export interface RowKey {
  readonly id: string | number | bigint;
  /** Required when the table has a tenant column. */
  readonly tenant?: string;
}

export interface ClientOption {
  /** Run on this client (inside your transaction) instead of the records database. */
  readonly client?: SqlClient;
}

export interface InsertManyOptions extends ClientOption {
  /** Rows per statement (default 1000). */
  readonly chunkSize?: number;
  /** The statement shape: one array per column (default), or one parameter per value. */
  readonly statement?: 'unnest' | 'values';
}

/** PostgreSQL's limit on bind parameters per statement. */
const MAX_PARAMETERS = 65_535;
/**
 * Rows per INSERT by default. Smaller chunks pipeline a call of a thousand
 * rows over several statements, but measured on two shared cores that gained
 * nothing and cost more CPU per row; pass chunkSize to choose.
 */
const DEFAULT_CHUNK_ROWS = 1000;
/** Rows per unnest statement at most (its parameter count does not grow with the rows). */
const MAX_UNNEST_ROWS = 50_000;
/** Statement texts kept per table (one per row count and column list seen). */
const MAX_CACHED_STATEMENTS = 16;

/**
 * The plain `pg` helper: a table whose defined fields are encrypted on the
 * way in and decrypted on the way out, with equality lookups through blind
 * indexes. Everything else is ordinary SQL on the same connection.
 */
export class EncryptedTable {
  readonly definition: ResolvedTable;
  readonly #db: Database;
  readonly #codec: RowCodec;
  readonly #indexer: BlindIndexer;
  readonly #statements = new Map<string, string>();
  /** Column name → SQL type, undefined for array types (read once, for unnest inserts). */
  #columnTypes: ReadonlyMap<string, string | undefined> | undefined;

  constructor(definition: ResolvedTable, db: Database, codec: RowCodec, indexer: BlindIndexer) {
    this.definition = definition;
    this.#db = db;
    this.#codec = codec;
    this.#indexer = indexer;
  }

  /** Encrypts the defined fields of a row (keys as in the definition) and fills in blind indexes. */
  encryptRow(row: Row): Promise<Row> {
    return this.#codec.encrypt(this.definition, row);
  }

  /** Decrypts the defined fields of a row (keys as in the definition) and drops blind index values. */
  decryptRow<R extends Row = Row>(row: Row): Promise<R> {
    return this.#codec.decrypt(this.definition, row) as Promise<R>;
  }

  async insert(row: Row, options: ClientOption = {}): Promise<void> {
    await this.insertMany([row], options);
  }

  /**
   * Bulk INSERTs of `chunkSize` rows (default 1000; fewer when the parameter
   * limit of VALUES requires), pipelined: each chunk is encrypted while the
   * database writes the one before, so the encryption and PostgreSQL's work
   * overlap on two cores.
   *
   * `statement: 'unnest'` (default) sends one array per column,
   * `INSERT … SELECT * FROM unnest($1::type[], …)`: a handful of parameters
   * per statement instead of one per value, much less for PostgreSQL to bind
   * and plan. The column types are read from the catalog once per table
   * object; a table with an array-typed column, or a row key that is not a
   * column, falls back to `'values'`: multi-row `VALUES ($1, …), …`.
   * Not atomic: pass a transaction's client to make it so.
   */
  async insertMany(rows: readonly Row[], options: InsertManyOptions = {}): Promise<void> {
    if (rows.length === 0) return;
    const client = options.client ?? this.#db;
    const pendingFirst = this.#codec.encryptNow(this.definition, rows[0] as Row);
    const first = pendingFirst instanceof Promise ? await pendingFirst : pendingFirst;
    const keys = Object.keys(first);
    const width = keys.length;
    const arrayTypes =
      (options.statement ?? 'unnest') === 'unnest' ? await this.#unnestTypes(client, keys) : undefined;
    const limit = arrayTypes === undefined ? Math.floor(MAX_PARAMETERS / width) : MAX_UNNEST_ROWS;
    const perStatement = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK_ROWS, limit));
    let inFlight: Promise<unknown> | undefined;
    for (let start = 0; start < rows.length; start += perStatement) {
      const end = Math.min(rows.length, start + perStatement);
      const count = end - start;
      // 'unnest': one array per column; 'values': the values row after row.
      const columns: unknown[][] | undefined =
        arrayTypes === undefined ? undefined : keys.map(() => new Array(count));
      const values: unknown[] | undefined = arrayTypes === undefined ? new Array(count * width) : undefined;
      for (let i = start; i < end; i++) {
        let row: Row;
        if (i === 0) row = first;
        else {
          const pending = this.#codec.encryptNow(this.definition, rows[i] as Row);
          row = pending instanceof Promise ? await pending : pending;
        }
        const at = i - start;
        if (columns !== undefined)
          for (let k = 0; k < width; k++) (columns[k] as unknown[])[at] = row[keys[k] as string] ?? null;
        else
          for (let k = 0; k < width; k++)
            (values as unknown[])[at * width + k] = row[keys[k] as string] ?? null;
      }
      if (inFlight !== undefined) await inFlight;
      inFlight =
        columns === undefined
          ? client.query(this.#valuesSql(keys, count), values)
          : client.query(this.#unnestSql(keys, arrayTypes as readonly string[]), columns);
      // Handled when awaited above or below; this only keeps a failure from being reported as unhandled meanwhile.
      inFlight.catch(() => undefined);
      // One turn of the event loop, so the driver puts the statement on the wire before the next chunk's
      // encryption (all synchronous while keys are cached) takes the thread.
      if (end < rows.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await inFlight;
  }

  /**
   * The SQL type of each key's column for unnest(), or undefined when
   * unnest cannot be used: an unknown column, or an array-typed one (unnest
   * would flatten its values).
   */
  async #unnestTypes(client: SqlClient, keys: readonly string[]): Promise<string[] | undefined> {
    let types = this.#columnTypes;
    if (types === undefined) {
      const { rows } = await client.query<{ name: string; type: string; array: boolean }>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typcategory = 'A' AS array
           FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
          WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
        [this.definition.sqlName],
      );
      types = new Map(rows.map((r) => [r.name, r.array ? undefined : r.type]));
      this.#columnTypes = types;
    }
    const out: string[] = [];
    for (const key of keys) {
      const type = types.get(this.#column(key));
      if (type === undefined) return undefined;
      out.push(type);
    }
    return out;
  }

  /** INSERT … SELECT * FROM unnest($1::type[], …): the same text for every chunk. */
  #unnestSql(keys: readonly string[], types: readonly string[]): string {
    return this.#statement(`u:${keys.join('\u0000')}`, () => {
      const columns = keys.map((k) => quoteIdentifier(this.#column(k))).join(', ');
      const arrays = types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
      return `INSERT INTO ${this.definition.sqlName} (${columns}) SELECT * FROM unnest(${arrays})`;
    });
  }

  /** INSERT … VALUES ($1, …), … for `count` rows: the same text for every full chunk. */
  #valuesSql(keys: readonly string[], count: number): string {
    return this.#statement(`v${count}:${keys.join('\u0000')}`, () => {
      const columns = keys.map((k) => quoteIdentifier(this.#column(k))).join(', ');
      const tuples: string[] = [];
      let n = 0;
      for (let i = 0; i < count; i++) {
        const slots: string[] = [];
        for (let k = 0; k < keys.length; k++) slots.push(`$${++n}`);
        tuples.push(`(${slots.join(', ')})`);
      }
      return `INSERT INTO ${this.definition.sqlName} (${columns}) VALUES ${tuples.join(', ')}`;
    });
  }

  #statement(id: string, build: () => string): string {
    let sql = this.#statements.get(id);
    if (sql === undefined) {
      sql = build();
      if (this.#statements.size >= MAX_CACHED_STATEMENTS) this.#statements.clear();
      this.#statements.set(id, sql);
    }
    return sql;
  }

  /** Updates the given keys of one row; encrypted fields are encrypted for that row. */
  async update(key: RowKey, changes: Row, options: ClientOption = {}): Promise<number> {
    const { id, tenant } = this.definition;
    const identity: Row = { [id.key]: key.id, ...(tenant ? { [tenant.key]: key.tenant } : {}) };
    const encrypted = await this.encryptRow({ ...changes, ...identity });
    const params: unknown[] = [];
    const sets = Object.keys(changes).map((k) => {
      params.push(encrypted[k] ?? null);
      const set = `${quoteIdentifier(this.#column(k))} = $${params.length}`;
      const field = this.#field(k);
      if (field?.index === undefined) return set;
      params.push(encrypted[field.index.key] ?? null);
      return `${set}, ${quoteIdentifier(field.index.column)} = $${params.length}`;
    });
    if (sets.length === 0) return 0;
    const where = this.#whereKey(key, params);
    const { rows } = await (options.client ?? this.#db).query(
      `UPDATE ${this.definition.sqlName} SET ${sets.join(', ')} WHERE ${where} RETURNING 1 AS updated`,
      params,
    );
    return rows.length;
  }

  async get<R extends Row = Row>(key: RowKey, options: ClientOption = {}): Promise<R | undefined> {
    const params: unknown[] = [];
    const where = this.#whereKey(key, params);
    const { rows } = await (options.client ?? this.#db).query(
      `SELECT * FROM ${this.definition.sqlName} WHERE ${where}`,
      params,
    );
    return rows[0] === undefined ? undefined : this.#decryptSqlRow<R>(rows[0]);
  }

  /**
   * Rows whose `fieldKey` equals `value` (after the index's normalisation),
   * found through the blind index: every live index generation is asked for,
   * and false positives of a truncated index are dropped after decryption.
   */
  async findBy<R extends Row = Row>(
    fieldKey: string,
    value: FieldValue,
    options: ClientOption & { readonly tenant?: string } = {},
  ): Promise<R[]> {
    const field = this.#indexedField(fieldKey);
    const index = field.index as NonNullable<ResolvedField['index']>;
    const candidates = await this.blindIndexValues(fieldKey, value, options);
    const params: unknown[] = [candidates];
    let sql = `SELECT * FROM ${this.definition.sqlName} WHERE ${quoteIdentifier(index.column)} = ANY($1::text[])`;
    const { tenant } = this.definition;
    if (tenant !== undefined) {
      params.push(options.tenant);
      sql += ` AND ${quoteIdentifier(tenant.column)} = $2`;
    }
    const { rows } = await (options.client ?? this.#db).query(sql, params);
    const keyed: Row[] = [];
    for (const row of rows) keyed.push(this.#keyed(row));
    return this.decryptMatches<R>(keyed, fieldKey, value);
  }

  /**
   * The index values a lookup of `value` must match, one per live index
   * generation: for queries built elsewhere (Drizzle: inArray(column, values)).
   */
  async blindIndexValues(
    fieldKey: string,
    value: FieldValue,
    options: { readonly tenant?: string } = {},
  ): Promise<string[]> {
    const field = this.#indexedField(fieldKey);
    if (this.definition.tenant !== undefined && options.tenant === undefined)
      throw new TypeError(
        `${this.definition.table}: a lookup needs { tenant } (the table has a tenant column)`,
      );
    return this.#indexer.forLookup(indexTarget(this.definition, field, options.tenant), value);
  }

  /** Decrypts rows found through a blind index (keys as in the definition) and drops the false positives. */
  async decryptMatches<R extends Row = Row>(
    rows: readonly Row[],
    fieldKey: string,
    value: FieldValue,
  ): Promise<R[]> {
    const field = this.#indexedField(fieldKey);
    const found: R[] = [];
    for (const row of rows) {
      const plain = await this.decryptRow<R>(row);
      const target = indexTarget(this.definition, field, this.#tenantOf(row));
      const stored = plain[field.key] as FieldValue | null;
      if (
        stored !== null &&
        sameValue(this.#indexer.normalized(target, stored), this.#indexer.normalized(target, value))
      )
        found.push(plain);
    }
    return found;
  }

  /** Any SQL over this table: the result rows are decrypted (select the id and tenant columns with the fields). */
  async query<R extends Row = Row>(
    sql: string,
    params: readonly unknown[] = [],
    options: ClientOption = {},
  ): Promise<R[]> {
    const { rows } = await (options.client ?? this.#db).query(sql, params);
    const out: R[] = [];
    for (const row of rows) out.push(await this.#decryptSqlRow<R>(row));
    return out;
  }

  #column(key: string): string {
    return this.definition.columns.get(key) ?? key;
  }

  #field(key: string): ResolvedField | undefined {
    return this.definition.fields.find((f) => f.key === key);
  }

  #indexedField(key: string): ResolvedField {
    const field = this.#field(key);
    if (field?.index === undefined)
      throw new TypeError(
        `${this.definition.table}.${key} has no blind index: add blindIndex to its definition`,
      );
    return field;
  }

  #tenantOf(row: Row): string | undefined {
    const tenant = this.definition.tenant;
    const value = tenant === undefined ? undefined : row[tenant.key];
    return value === undefined || value === null ? undefined : String(value);
  }

  #whereKey(key: RowKey, params: unknown[]): string {
    const { id, tenant, table } = this.definition;
    params.push(key.id);
    let where = `${quoteIdentifier(id.column)} = $${params.length}`;
    if (tenant !== undefined) {
      if (key.tenant === undefined)
        throw new TypeError(`${table}: pass { id, tenant } (the table has a tenant column)`);
      params.push(key.tenant);
      where += ` AND ${quoteIdentifier(tenant.column)} = $${params.length}`;
    }
    return where;
  }

  /** SQL column names back to row keys. */
  #keyed(row: Row): Row {
    const keyed: Row = { ...row };
    for (const [key, column] of this.definition.columns) {
      if (key === column || !(column in row)) continue;
      keyed[key] = row[column];
      delete keyed[column];
    }
    return keyed;
  }

  #decryptSqlRow<R extends Row>(row: Row): Promise<R> {
    return this.decryptRow<R>(this.#keyed(row));
  }
}
