import type { JobResult } from '@cipherlayer/records';
import { integerValue, requiredString, stringValue } from '../../lib/args.js';
import { usageError } from '../../lib/cli-error.js';
import type { Command, CommandContext } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { formatDuration } from '../../lib/progress.js';
import { CONNECTION_OPTIONS, checkConnectionArgs, readDefinition } from './open-records.js';
import { progressFor, QUIET_OPTION, stopOnSignals, withRecords } from './session.js';

function summary(
  context: CommandContext,
  result: JobResult,
  table: string,
  rotated: readonly string[],
): number {
  const { out } = context;
  const exitCode =
    result.outcome === 'done'
      ? ExitCode.Ok
      : result.outcome === 'stopped'
        ? ExitCode.Interrupted
        : ExitCode.Failure;
  if (out.json) {
    out.result({ table, rotatedKeys: rotated, ...result, exitCode });
    return exitCode;
  }
  const outcome =
    result.outcome === 'done'
      ? out.style('green', 'done')
      : result.outcome === 'stopped'
        ? out.style('yellow', 'stopped')
        : out.style('red', 'failed');
  out.line(`job ${result.name} on ${table}: ${outcome}`);
  if (rotated.length > 0) out.line(`  rotated data keys (now retiring): ${rotated.join(', ')}`);
  out.line(
    `  rows: ${result.rowsDone} of ${result.rowsTotal} done, ${result.rowsChanged} re-encrypted or re-indexed, ${result.rowsVerified} verified`,
  );
  if (result.outcome === 'done')
    out.line(
      `  checksum: ${result.checksumBefore === result.checksumAfter ? 'unchanged' : 'CHANGED'} (${result.checksumAfter.slice(0, 16)}…)`,
    );
  out.line(`  runs: ${result.runs} (this one ${formatDuration(result.durationMs / 1000)})`);
  if (result.problems.length > 0) {
    out.line(`  problems: ${result.problems.length}`);
    for (const p of result.problems.slice(0, 10))
      out.line(`    row ${p.row}${p.field ? ` ${p.field}` : ''}: ${p.problem}`);
    if (result.problems.length > 10)
      out.line(`    … and ${result.problems.length - 10} more (--json lists them all)`);
  }
  if (result.outcome === 'stopped')
    out.line('  run the same command again to resume after the last committed batch');
  if (result.outcome === 'done')
    out.line('  next: when records verify shows no field under the old keys in every table, retire them');
  return exitCode;
}

export const recordsReencryptCommand: Command = {
  name: 'records reencrypt',
  summary: 'data key rotation: re-encrypt a table’s fields under the active keys (resumable)',
  usage:
    '--definition <table.json> --job <name> --keyring <kind> [keyring options] [--pglite <dir> | --database-url <url>] [options]',
  description: [
    'Runs (or resumes) the re-encryption job of @cipherlayer/records: in batches, each one transaction, every',
    'field under a retiring data key is re-encrypted under its scope’s active key and stale blind indexes are',
    'recomputed; then every row is verified and the plaintext checksum compared. The job is named: running the',
    'same command again resumes after the last committed batch. Ctrl-C stops after the current batch (exit 130).',
    '--rotate first makes the active data keys retiring (step 1 of a rotation); only for a new job.',
  ].join('\n'),
  options: {
    definition: {
      type: 'string',
      value: 'file',
      description: 'the table definition (JSON), as given to records.table()',
    },
    job: { type: 'string', value: 'name', description: "the job's name: the same name resumes it" },
    rotate: {
      type: 'boolean',
      description: 'rotate data keys first (active become retiring); new jobs only',
    },
    tenant: { type: 'string', value: 'tenant', description: 'with --rotate: only this tenant’s keys' },
    'batch-size': {
      type: 'string',
      value: 'rows',
      description: 'rows per batch and transaction (default 2000)',
    },
    restart: { type: 'boolean', description: 'start again from the first row' },
    'skip-checksum': {
      type: 'boolean',
      description: 'no plaintext checksum (when the table is written meanwhile)',
    },
    ...CONNECTION_OPTIONS,
    ...QUIET_OPTION,
  },
  examples: [
    'CIPHERLAYER_MASTER_KEYS=... cipherlayer records reencrypt --pglite ./data --keyring local --definition people.json --job rotate-2025-06 --rotate',
    'cipherlayer records reencrypt --database-url "$DATABASE_URL" --keyring local --definition people.json --job rotate-2025-06',
    'cipherlayer records reencrypt --database-url "$DATABASE_URL" --keyring vault --vault-addr https://vault.internal:8200 --vault-key records --definition people.json --job rotate-2025-06 --rotate',
    'cipherlayer records reencrypt ... --json > result.json   # progress stays on stderr',
    'cipherlayer records rewrap --help   # every keyring (local, pkcs11, aws-kms, vault, multi) with examples',
  ],
  async run(context) {
    const { values } = context;
    const name = requiredString(values, 'job', 'the job name (running the same name again resumes it)');
    const batchSize = integerValue(values, 'batch-size', 1, 50_000);
    if (values.tenant !== undefined && values.rotate !== true)
      throw usageError('--tenant goes with --rotate');
    checkConnectionArgs(context);
    const definition = await readDefinition(context);
    return withRecords(context, async (records) => {
      const table = records.table(definition);
      const stop = stopOnSignals(context);
      const progress = progressFor(context);
      try {
        const job = records.reencrypt(table, {
          name,
          ...(batchSize === undefined ? {} : { batchSize }),
          ...(values.restart === true ? { restart: true } : {}),
          ...(values['skip-checksum'] === true ? { checksum: false } : {}),
          signal: stop.signal,
          onProgress: (p) =>
            progress?.update({
              phase: p.phase,
              done: p.rowsDone,
              total: p.rowsTotal,
              unit: 'rows',
              rate: p.rowsPerSecond,
            }),
        });
        let rotated: string[] = [];
        if (values.rotate === true) {
          if ((await job.status()) !== undefined)
            throw usageError(
              `job ${name} exists: run without --rotate to resume it (rotating again would strand its fields)`,
            );
          const tenant = stringValue(values, 'tenant');
          rotated = (await records.rotateDataKeys(tenant === undefined ? undefined : { tenant })).map(
            (k) => k.id,
          );
        }
        const result = await job.run();
        progress?.finish();
        return summary(context, result, definition.table, rotated);
      } finally {
        progress?.finish();
        stop.dispose();
      }
    });
  },
};
