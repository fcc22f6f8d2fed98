import { join } from 'node:path';
import {
  connectPostgres,
  type Database,
  type EncryptedTable,
  type Keyring,
  openRecords,
  pgDatabase,
  pgliteDatabase,
  type Records,
} from '@cipherlayer/records';
import { PGlite } from '@electric-sql/pglite';

/**
 * The bank's tables, and which of their columns @cipherlayer/records
 * encrypts. Encrypted columns hold `clr1.…` ciphertext bound to their table,
 * column and row; the database never sees the plaintext of an account
 * number, a balance, an amount, a name or a national id. Two columns are
 * blind indexes: the login looks a user up by username, a transfer finds the
 * payee's account by its number, without either being stored in clear.
 */
export interface BankTables {
  readonly users: EncryptedTable;
  readonly accounts: EncryptedTable;
  readonly entries: EncryptedTable;
}

export interface BankDatabase {
  readonly db: Database;
  readonly records: Records;
  readonly tables: BankTables;
  /** The schema-qualified name of a table, for SQL written here. */
  table(name: 'users' | 'accounts' | 'entries' | 'logins'): string;
  /** For the startup lines: which database. */
  readonly description: string;
  close(): Promise<void>;
}

function schemaSql(schema: string): string {
  return `
    CREATE SCHEMA IF NOT EXISTS ${schema};
    CREATE TABLE IF NOT EXISTS ${schema}.users (
      id text PRIMARY KEY,
      username text NOT NULL,         -- encrypted
      username_idx text NOT NULL,     -- blind index of the username: the login's lookup
      password_hash text NOT NULL,    -- scrypt
      full_name text,                 -- encrypted
      email text,                     -- encrypted
      phone text,                     -- encrypted
      national_id text                -- encrypted
    );
    CREATE INDEX IF NOT EXISTS users_username_idx ON ${schema}.users (username_idx);
    CREATE TABLE IF NOT EXISTS ${schema}.accounts (
      id text PRIMARY KEY,
      user_id text NOT NULL REFERENCES ${schema}.users (id),
      name text NOT NULL,
      currency text NOT NULL,
      position integer NOT NULL,
      number text NOT NULL,           -- encrypted
      number_idx text NOT NULL,       -- blind index of the number: a transfer's payee lookup
      balance text NOT NULL           -- encrypted, in cents
    );
    CREATE INDEX IF NOT EXISTS accounts_number_idx ON ${schema}.accounts (number_idx);
    CREATE TABLE IF NOT EXISTS ${schema}.entries (
      id text PRIMARY KEY,
      account_id text NOT NULL REFERENCES ${schema}.accounts (id),
      posted_at timestamptz NOT NULL,
      seq bigint NOT NULL,
      description text NOT NULL,      -- encrypted
      counterparty text,              -- encrypted: the other account's number
      amount text NOT NULL,           -- encrypted, in cents (negative: money out)
      balance_after text NOT NULL     -- encrypted, in cents
    );
    CREATE INDEX IF NOT EXISTS entries_account ON ${schema}.entries (account_id, seq);
    CREATE TABLE IF NOT EXISTS ${schema}.logins (
      id text PRIMARY KEY,            -- SHA-256 of the login cookie: the table holds no usable token
      user_id text NOT NULL REFERENCES ${schema}.users (id),
      expires_at timestamptz NOT NULL
    );
    CREATE SEQUENCE IF NOT EXISTS ${schema}.entries_seq;
  `;
}

function defineTables(records: Records, schema: string): BankTables {
  return {
    users: records.table({
      table: 'users',
      schema,
      id: 'id',
      fields: {
        username: {
          type: 'string',
          blindIndex: { key: 'username_idx', normalize: ['nfkc', 'trim', 'lowercase'], bits: 32 },
        },
        full_name: { type: 'string' },
        email: { type: 'string' },
        phone: { type: 'string' },
        national_id: { type: 'string' },
      },
    }),
    accounts: records.table({
      table: 'accounts',
      schema,
      id: 'id',
      fields: {
        number: {
          type: 'string',
          blindIndex: { key: 'number_idx', normalize: ['remove-whitespace', 'uppercase'], bits: 32 },
        },
        balance: { type: 'number' },
      },
    }),
    entries: records.table({
      table: 'entries',
      schema,
      id: 'id',
      fields: {
        description: { type: 'string' },
        counterparty: { type: 'string' },
        amount: { type: 'number' },
        balance_after: { type: 'number' },
      },
    }),
  };
}

export interface DatabaseSettings {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly schema: string;
  readonly keyring: Keyring;
}

/**
 * PGlite in the data folder by default (embedded PostgreSQL: nothing to
 * run), PostgreSQL when DATABASE_URL is set. The same SQL and the same
 * records code run on both.
 */
export async function openBankDatabase(settings: DatabaseSettings): Promise<BankDatabase> {
  const { schema, keyring } = settings;
  let db: Database;
  let description: string;
  if (settings.databaseUrl === undefined) {
    const folder = join(settings.dataDir, 'pglite');
    db = pgliteDatabase(await PGlite.create(folder), { owned: true });
    description = `PGlite (embedded PostgreSQL) in ${folder}`;
  } else {
    const pool = await connectPostgres({ connectionString: settings.databaseUrl });
    db = pgDatabase(pool, { owned: true });
    const url = new URL(settings.databaseUrl);
    description = `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}, schema ${schema}`;
  }
  try {
    // One statement at a time: PGlite's query() takes one.
    for (const statement of schemaSql(schema)
      .replace(/--[^\n]*/g, '')
      .split(';')) {
      if (statement.trim() !== '') await db.query(statement);
    }
    const records = await openRecords({ db, keyring, schema });
    return {
      db,
      records,
      tables: defineTables(records, schema),
      table: (name) => `${schema}.${name}`,
      description,
      close: () => records.close(), // it closes the database too (owned)
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
