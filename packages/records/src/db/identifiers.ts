import { configError } from '../lib/options.js';

/** A double-quoted SQL identifier; names come from configuration, never from data. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.length > 63 || name.includes('\0'))
    throw configError(`"${name}" is not a PostgreSQL identifier (1 to 63 characters, no NUL)`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** schema.table, both quoted; without a schema the search_path decides. */
export function qualifiedName(schema: string | undefined, table: string): string {
  return schema === undefined
    ? quoteIdentifier(table)
    : `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}
