import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type Database, pgDatabase, pgliteDatabase } from '../../src/index.js';

/**
 * The two databases every records test runs on: the real PostgreSQL on
 * 127.0.0.1:5432 (shared, so each test file works in its own schema and drops
 * it afterwards) and PGlite in process. When PostgreSQL is unreachable the
 * tests fail; they are never skipped.
 */

export const DATABASES = ['PostgreSQL', 'PGlite'] as const;
export type DatabaseKind = (typeof DATABASES)[number];

export const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const;

export interface TestDatabase {
  readonly kind: DatabaseKind;
  readonly db: Database;
  /** This test file's schema: the package's tables and the test tables live there. */
  readonly schema: string;
  /** The driver object itself, for integrations that take it (Drizzle). */
  readonly native:
    | { readonly kind: 'pg'; readonly pool: pg.Pool }
    | { readonly kind: 'pglite'; readonly lite: PGlite };
  /** Runs one statement (DDL in tests). */
  exec(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export function uniqueSchema(label: string): string {
  return `clrec_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
}

export async function openTestDatabase(kind: DatabaseKind, label: string): Promise<TestDatabase> {
  const schema = uniqueSchema(label);
  if (kind === 'PostgreSQL') {
    const admin = new pg.Client(POSTGRES);
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const pool = new pg.Pool({ ...POSTGRES, max: 4, options: `-c search_path=${schema}` });
    const db = pgDatabase(pool);
    return {
      kind,
      db,
      schema,
      native: { kind: 'pg', pool },
      exec: async (sql, params) => (await db.query(sql, params)).rows,
      async close() {
        await pool.query(`DROP SCHEMA ${schema} CASCADE`);
        await pool.end();
      },
    };
  }
  const lite = new PGlite();
  await lite.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema};`);
  const db = pgliteDatabase(lite);
  return {
    kind,
    db,
    schema,
    native: { kind: 'pglite', lite },
    exec: async (sql, params) => (await db.query(sql, params)).rows,
    close: () => lite.close(),
  };
}
