import { stat } from 'node:fs/promises';
import {
  connectPostgres,
  type Database,
  type Keyring,
  openRecords,
  pgDatabase,
  pgliteDatabase,
  type Records,
  type TableDefinition,
} from '@cipherlayer/records';
import { stringValue } from '../../lib/args.js';
import { inputError, unavailableError, usageError } from '../../lib/cli-error.js';
import type { CommandContext, OptionSpec } from '../../lib/command.js';
import { readInput } from '../../lib/files.js';
import { KEYRING_OPTIONS, type KeyringPlan, planKeyring } from './keyring-options.js';
import { openKeyring } from './open-keyring.js';

/** Options every records command takes: where the database is, and which keyring holds the KEKs. */
export const CONNECTION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'database-url': {
    type: 'string',
    value: 'url',
    description: 'PostgreSQL connection string (default: $DATABASE_URL); TLS with verification in production',
  },
  pglite: { type: 'string', value: 'dir', description: 'an embedded PGlite database directory instead' },
  schema: {
    type: 'string',
    value: 'name',
    description: "schema of cipherlayer's own tables (default: the search path)",
  },
  ...KEYRING_OPTIONS,
};

/** The usage checks of the connection options, before any file is read or anything opened. */
export function checkConnectionArgs(context: CommandContext): KeyringPlan {
  const plan = planKeyring(context);
  const { values } = context;
  const dir = stringValue(values, 'pglite');
  if (dir !== undefined && stringValue(values, 'database-url') !== undefined)
    throw usageError('give --database-url or --pglite, not both');
  if (dir === undefined && stringValue(values, 'database-url') === undefined && !context.env.DATABASE_URL)
    throw usageError('no database: give --database-url <url>, set DATABASE_URL, or give --pglite <dir>');
  return plan;
}

async function openDatabase(context: CommandContext): Promise<Database> {
  const url = stringValue(context.values, 'database-url') ?? context.env.DATABASE_URL;
  const dir = stringValue(context.values, 'pglite');
  if (dir !== undefined) {
    const isDir = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir)
      throw inputError(`no PGlite database at ${dir} (an existing directory is needed: nothing is created)`);
    let PGlite: typeof import('@electric-sql/pglite').PGlite;
    try {
      ({ PGlite } = await import('@electric-sql/pglite'));
    } catch (error) {
      throw unavailableError('PGlite is not installed: npm install @electric-sql/pglite', error);
    }
    const pglite = new PGlite(dir);
    try {
      await pglite.waitReady;
    } catch (error) {
      throw inputError(`cannot open the PGlite database at ${dir}: ${(error as Error).message}`, error);
    }
    return pgliteDatabase(pglite, { owned: true });
  }
  if (url === undefined)
    throw usageError('no database: give --database-url <url>, set DATABASE_URL, or give --pglite <dir>');
  const pool = await connectPostgres({ connectionString: url, max: 4 }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND')
      throw unavailableError('the pg package is not installed: npm install pg', error);
    throw error;
  });
  // Connect now, so that an unreachable server is reported as such, before any work.
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unavailableError(`cannot connect to PostgreSQL: ${(error as Error).message}`, error);
  }
  return pgDatabase(pool, { owned: true });
}

/** The database and keyring of the command line, opened; the caller closes both. */
export async function openFromArgs(context: CommandContext): Promise<{ records: Records; keyring: Keyring }> {
  const plan = checkConnectionArgs(context);
  const keyring = await openKeyring(context, plan);
  const schema = stringValue(context.values, 'schema');
  let db: Database | undefined;
  try {
    db = await openDatabase(context);
    const records = await openRecords({ db, keyring, ...(schema === undefined ? {} : { schema }) });
    return { records, keyring };
  } catch (error) {
    await db?.close().catch(() => undefined);
    await keyring.close?.().catch(() => undefined);
    throw error;
  }
}

/** A TableDefinition from a JSON file (as the records README describes; normalisation steps by name). */
export async function readDefinition(context: CommandContext): Promise<TableDefinition> {
  const path = stringValue(context.values, 'definition');
  if (path === undefined)
    throw usageError(
      '--definition <table.json> is required: the table definition, as given to records.table()',
    );
  const text = (await readInput(path, 'table definition')).toString('utf8');
  try {
    return JSON.parse(text) as TableDefinition;
  } catch (error) {
    throw inputError(`table definition ${path} is not JSON: ${(error as Error).message}`, error);
  }
}
