import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, pgDatabase, pgliteDatabase } from '../src/index.js';
import { POSTGRES, uniqueSchema } from './helpers/records-db.js';

/**
 * The adapters give the package one transaction rule on every driver:
 * COMMIT when the function returns, ROLLBACK when it throws; a single
 * pg.Client runs transactions one after another; on PGlite a query made from
 * inside a transaction's work joins it instead of waiting for it.
 */

const schema = uniqueSchema('adapters');
let admin: pg.Client;

beforeAll(async () => {
  admin = new pg.Client(POSTGRES);
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`CREATE TABLE ${schema}.t (n int)`);
});
afterAll(async () => {
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
});

async function semantics(db: Database, table: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO ${table} VALUES (1)`);
  });
  await expect(
    db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${table} VALUES (2)`);
      throw new Error('abort');
    }),
  ).rejects.toThrow('abort');
  const { rows } = await db.query<{ n: number }>(`SELECT n FROM ${table} ORDER BY n`);
  expect(rows.map((r) => r.n)).toEqual([1]);
}

describe('database adapters', () => {
  it('pg.Pool: commit and rollback, and close() leaves a pool it does not own open', async () => {
    const pool = new pg.Pool(POSTGRES);
    await admin.query(`TRUNCATE ${schema}.t`);
    const db = pgDatabase(pool);
    await semantics(db, `${schema}.t`);
    await db.close();
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await pgDatabase(pool, { owned: true }).close();
    expect(pool.ended).toBe(true);
  });

  it('pg.Client: transactions run one after another on the one connection', async () => {
    const client = new pg.Client(POSTGRES);
    await client.connect();
    await admin.query(`TRUNCATE ${schema}.t`);
    const db = pgDatabase(client, { owned: true });
    await semantics(db, `${schema}.t`);
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        db.transaction(async (tx) => {
          order.push(`${name} begin`);
          await tx.query('SELECT pg_sleep(0.01)');
          order.push(`${name} end`);
        }),
      ),
    );
    expect(order).toEqual(['a begin', 'a end', 'b begin', 'b end', 'c begin', 'c end']);
    await db.close();
  });

  it('PGlite: commit and rollback, and queries from inside a transaction join it', async () => {
    const lite = new PGlite();
    await lite.exec('CREATE TABLE t (n int)');
    const db = pgliteDatabase(lite, { owned: true });
    await semantics(db, 't');
    await db.transaction(async () => {
      // Not through the transaction's client: this would wait forever if it did not join.
      await db.query('INSERT INTO t VALUES (3)');
      await db.transaction(async (inner) => inner.query('INSERT INTO t VALUES (4)'));
    });
    expect((await db.query<{ n: number }>('SELECT n FROM t ORDER BY n')).rows.map((r) => r.n)).toEqual([
      1, 3, 4,
    ]);
    await db.close();
    expect(lite.closed).toBe(true);
  });
});
