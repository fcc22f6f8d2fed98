import type { Command } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { columns } from '../../lib/output.js';
import { CONNECTION_OPTIONS, checkConnectionArgs, readDefinition } from './open-records.js';
import { progressFor, QUIET_OPTION, withRecords } from './session.js';

export const recordsVerifyCommand: Command = {
  name: 'records verify',
  summary: 'decrypt every field of a table and report what each data key still encrypts (changes nothing)',
  usage:
    '--definition <table.json> --keyring <kind> [keyring options] [--pglite <dir> | --database-url <url>] [options]',
  description: [
    'Every field is decrypted (which authenticates it), fields still under retiring keys and stale blind indexes',
    'are reported as problems, and the count of fields per data key is shown: a key with none left in any table',
    'can be retired. Exit code 1 when there are problems.',
  ].join('\n'),
  options: {
    definition: {
      type: 'string',
      value: 'file',
      description: 'the table definition (JSON), as given to records.table()',
    },
    ...CONNECTION_OPTIONS,
    ...QUIET_OPTION,
  },
  examples: [
    'cipherlayer records verify --pglite ./data --keyring local --definition people.json',
    'cipherlayer records verify --database-url "$DATABASE_URL" --keyring local --definition people.json --json',
    'cipherlayer records verify --database-url "$DATABASE_URL" --keyring aws-kms --kms-key-id alias/records --definition people.json',
    'cipherlayer records rewrap --help   # every keyring (local, pkcs11, aws-kms, vault, multi) with examples',
  ],
  async run(context) {
    checkConnectionArgs(context);
    const definition = await readDefinition(context);
    return withRecords(context, async (records) => {
      const table = records.table(definition);
      const progress = progressFor(context);
      const rows = (
        await records.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table.definition.sqlName}`)
      ).rows;
      const total = Number(rows[0]?.n ?? 0);
      const report = await records.verify(table, {
        onProgress: (done) => progress?.update({ phase: 'verify', done, total, unit: 'rows' }),
      });
      progress?.finish();
      const exitCode = report.problems.length === 0 ? ExitCode.Ok : ExitCode.Failure;
      const { out } = context;
      if (out.json) {
        out.result({ table: definition.table, ...report, exitCode });
        return exitCode;
      }
      out.line(`verify ${definition.table}: ${report.rows} rows, ${report.problems.length} problems`);
      const byKey = Object.entries(report.fieldsByKey).map(([id, n]) => [`  ${id}`, String(n)]);
      for (const line of columns([['  data key', 'fields'], ...byKey])) out.line(line);
      for (const p of report.problems.slice(0, 10))
        out.line(`  row ${p.row}${p.field ? ` ${p.field}` : ''}: ${p.problem}`);
      if (report.problems.length > 10)
        out.line(`  … and ${report.problems.length - 10} more (--json lists them all)`);
      return exitCode;
    });
  },
};
