import type { Database } from './database.js';
import { qualifiedName } from './identifiers.js';

/**
 * The package's own tables, created and changed by numbered migrations. Each
 * runs once, in its own transaction, under an advisory lock so that several
 * processes starting together apply it once; running `migrate` again is a
 * no-op. A migration is never edited once released: changes are new entries.
 */

export interface PackageTables {
  readonly migrations: string;
  readonly keys: string;
  readonly jobs: string;
}

export function packageTables(schema: string | undefined): PackageTables {
  return {
    migrations: qualifiedName(schema, 'cipherlayer_migrations'),
    keys: qualifiedName(schema, 'cipherlayer_keys'),
    jobs: qualifiedName(schema, 'cipherlayer_jobs'),
  };
}

interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements run in order (one per query: PGlite's extended protocol takes one at a time). */
  readonly sql: (t: PackageTables, indexPrefix: string) => readonly string[];
}

const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'keys table',
    sql: (t, p) => [
      `CREATE TABLE ${t.keys} (
        id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{16}$'),
        purpose text NOT NULL CHECK (purpose IN ('data', 'index')),
        scope text NOT NULL,
        generation integer NOT NULL CHECK (generation > 0),
        state text NOT NULL CHECK (state IN ('active', 'retiring', 'retired')),
        keyring_id text NOT NULL,
        kek_id text NOT NULL,
        wrapped bytea NOT NULL,
        message_count bigint NOT NULL DEFAULT 0 CHECK (message_count >= 0),
        message_limit bigint NOT NULL CHECK (message_limit > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        state_changed_at timestamptz NOT NULL DEFAULT now(),
        rewrapped_at timestamptz,
        UNIQUE (purpose, scope, generation),
        CHECK (message_count <= message_limit)
      )`,
      `CREATE UNIQUE INDEX ${p}keys_one_active ON ${t.keys} (purpose, scope) WHERE state = 'active'`,
    ],
  },
  {
    version: 2,
    name: 'jobs table',
    sql: (t) => [
      `CREATE TABLE ${t.jobs} (
        name text PRIMARY KEY,
        kind text NOT NULL,
        target text NOT NULL,
        spec jsonb NOT NULL,
        phase text NOT NULL CHECK (phase IN ('reencrypt', 'verify', 'done', 'failed')),
        cursor text,
        rows_total bigint NOT NULL DEFAULT 0,
        rows_done bigint NOT NULL DEFAULT 0,
        rows_changed bigint NOT NULL DEFAULT 0,
        rows_verified bigint NOT NULL DEFAULT 0,
        checksum_before text NOT NULL DEFAULT '0',
        checksum_after text NOT NULL DEFAULT '0',
        problems jsonb NOT NULL DEFAULT '[]',
        runs integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`,
    ],
  },
];

export const LATEST_MIGRATION = migrations.length;

/** A fixed advisory-lock key for "cipherlayer migrations" (any constant works; this one is 'clmi' in ASCII). */
const LOCK_KEY = 0x636c6d69;

/** Applies what is missing; returns the versions applied by this call. */
export async function migrate(db: Database, schema: string | undefined): Promise<number[]> {
  const tables = packageTables(schema);
  // Index names are per schema; the prefix keeps them from colliding with the user's.
  const indexPrefix = 'cipherlayer_';
  const applied: number[] = [];
  await db.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${tables.migrations} (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${tables.migrations}`);
    const done = new Set(rows.map((r) => Number(r.version)));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.sql(tables, indexPrefix)) await client.query(statement);
      await client.query(`INSERT INTO ${tables.migrations} (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
  });
  return applied;
}
