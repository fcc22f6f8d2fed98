import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pgDatabase } from '../db/pg.js';
import { connectPostgres } from '../db/postgres-tls.js';
import { LocalKeyring } from '../keyrings/local.js';
import { openRecords } from '../records.js';
import type { JobProgress } from '../rotation/reencrypt-job.js';
import type { TableDefinition } from '../table/definition.js';

/**
 * Runs (or resumes) one re-encryption job with a text progress line: the
 * job API driven from a shell, until the CLI has its own command. The
 * keyring is the local one, from an environment variable.
 *
 *   node dist/scripts/reencrypt.js --url postgres://… --definition people.json --job rotate-2025-06 \
 *     [--schema cipherlayer] [--search-path app] [--batch-size 2000] [--keys-env CIPHERLAYER_MASTER_KEYS]
 *
 * --definition is a TableDefinition as JSON; --schema is where the package's
 * tables are; --search-path is the connection's search_path. The connection
 * follows postgresConfig's rules (TLS with verification in production).
 *
 * SIGINT or SIGTERM stop it after the current batch; run it again to resume.
 * The last line is "result <JSON>".
 */

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    definition: { type: 'string' },
    job: { type: 'string' },
    schema: { type: 'string' },
    'batch-size': { type: 'string' },
    'keys-env': { type: 'string', default: 'CIPHERLAYER_MASTER_KEYS' },
    'search-path': { type: 'string' },
  },
});

if (values.url === undefined || values.definition === undefined || values.job === undefined) {
  process.stderr.write(
    'usage: reencrypt --url <postgres url> --definition <table.json> --job <name> [options]\n',
  );
  process.exit(2);
}

const definition = JSON.parse(readFileSync(values.definition, 'utf8')) as TableDefinition;
const pool = await connectPostgres({
  connectionString: values.url,
  max: 4,
  ...(values['search-path'] === undefined ? {} : { options: `-c search_path=${values['search-path']}` }),
});
const records = await openRecords({
  db: pgDatabase(pool, { owned: true }),
  keyring: LocalKeyring.fromEnvironment(values['keys-env']),
  ...(values.schema === undefined ? {} : { schema: values.schema }),
});

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

const tty = process.stdout.isTTY === true;
function line(p: JobProgress): string {
  const percent = p.rowsTotal === 0 ? 100 : (100 * p.rowsDone) / p.rowsTotal;
  const width = 30;
  const filled = Math.round((percent / 100) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  return `${p.phase.padEnd(9)} ${bar} ${p.rowsDone}/${p.rowsTotal} rows (${percent.toFixed(1)}%) ${p.rowsPerSecond} rows/s, ${p.rowsChanged} changed`;
}

const job = records.reencrypt(records.table(definition), {
  name: values.job,
  ...(values['batch-size'] === undefined ? {} : { batchSize: Number(values['batch-size']) }),
  signal: stop.signal,
  onProgress: (p) => process.stdout.write(tty ? `\r${line(p)}` : `${line(p)}\n`),
});
const result = await job.run();
if (tty) process.stdout.write('\n');
process.stdout.write(`result ${JSON.stringify(result)}\n`);
await records.close();
process.exitCode = result.outcome === 'failed' ? 1 : 0;
