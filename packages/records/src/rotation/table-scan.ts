import type { Row, SqlClient } from '../db/database.js';
import { quoteIdentifier } from '../db/identifiers.js';
import type { ResolvedTable } from '../table/definition.js';

/**
 * Reading and rewriting an encrypted table in primary-key order, for the
 * re-encryption job and verification: the id is the cursor, and a batch is
 * "the next N rows after the cursor".
 */

/** The SQL type of the id column, for the casts of a bulk UPDATE. */
export async function idSqlType(client: SqlClient, table: ResolvedTable): Promise<string> {
  const { rows } = await client.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped`,
    [table.sqlName, table.id.column],
  );
  const type = rows[0]?.type;
  if (type === undefined)
    throw new TypeError(`${table.table} has no column ${table.id.column} (the id in its definition)`);
  return type;
}

export async function countRows(client: SqlClient, table: ResolvedTable): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table.sqlName}`);
  return Number(rows[0]?.n ?? 0);
}

function scannedColumns(table: ResolvedTable): string[] {
  const columns = [table.id.column];
  if (table.tenant) columns.push(table.tenant.column);
  for (const field of table.fields) {
    columns.push(field.column);
    if (field.index) columns.push(field.index.column);
  }
  return columns;
}

/** The next `limit` rows after `cursor` (an id as text), locked FOR UPDATE when `lock`. */
export async function readBatch(
  client: SqlClient,
  table: ResolvedTable,
  cursor: string | null,
  limit: number,
  lock: boolean,
): Promise<Row[]> {
  const id = quoteIdentifier(table.id.column);
  const params: unknown[] = [limit];
  let where = '';
  if (cursor !== null) {
    params.push(cursor);
    where = `WHERE ${id} > $2`;
  }
  const { rows } = await client.query(
    `SELECT ${scannedColumns(table).map(quoteIdentifier).join(', ')} FROM ${table.sqlName}
      ${where} ORDER BY ${id} LIMIT $1${lock ? ' FOR UPDATE' : ''}`,
    params,
  );
  return rows;
}

export interface ColumnUpdate {
  readonly column: string;
  readonly sqlType: 'text' | 'bytea';
  readonly values: unknown[];
}

/** One UPDATE for many rows: unnest() of one array per column, joined on the id. */
export async function updateRows(
  client: SqlClient,
  table: ResolvedTable,
  idType: string,
  ids: readonly unknown[],
  columns: readonly ColumnUpdate[],
): Promise<void> {
  if (ids.length === 0) return;
  const id = quoteIdentifier(table.id.column);
  const sets = columns.map((c, i) => `${quoteIdentifier(c.column)} = v.c${i}`).join(', ');
  const arrays = [`$1::${idType}[]`, ...columns.map((c, i) => `$${i + 2}::${c.sqlType}[]`)].join(', ');
  const names = ['id', ...columns.map((_, i) => `c${i}`)].join(', ');
  await client.query(
    `UPDATE ${table.sqlName} AS t SET ${sets} FROM unnest(${arrays}) AS v(${names}) WHERE t.${id} = v.id`,
    [ids, ...columns.map((c) => c.values)],
  );
}
