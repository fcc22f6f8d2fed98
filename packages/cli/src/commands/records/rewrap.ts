import type { Command } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { CONNECTION_OPTIONS } from './open-records.js';
import { progressFor, QUIET_OPTION, withRecords } from './session.js';

export const recordsRewrapCommand: Command = {
  name: 'records rewrap',
  summary: 'KEK rotation: re-wrap every data and index key under the current KEK (no field is touched)',
  usage: '--keyring local [--pglite <dir> | --database-url <url>] [options]',
  description: [
    'Put the new KEK first in the keyring (CIPHERLAYER_MASTER_KEYS="new:…,old:…"), then run this: each key not',
    'wrapped under the current KEK is re-wrapped; fields are not read or written. Safe to interrupt and run',
    'again: keys already current are skipped. Remove the old KEK only once this reports no failure.',
  ].join('\n'),
  options: { ...CONNECTION_OPTIONS, ...QUIET_OPTION },
  examples: [
    'CIPHERLAYER_MASTER_KEYS="k2:…,k1:…" cipherlayer records rewrap --pglite ./data --keyring local',
    'cipherlayer records rewrap --database-url "$DATABASE_URL" --keyring local --master-keys-file kek.txt --json',
  ],
  async run(context) {
    return withRecords(context, async (records, keyring) => {
      const current = await keyring.currentKekId();
      const total = (await records.listKeys()).filter(
        (k) => k.wrapped.keyringId !== keyring.id || k.wrapped.kekId !== current,
      ).length;
      const progress = progressFor(context);
      progress?.update({ phase: 'rewrap', done: 0, total, unit: 'keys' });
      const result = await records.rotateKek({
        onProgress: (p) =>
          progress?.update({ phase: 'rewrap', done: p.rewrapped + p.failed, total, unit: 'keys' }),
      });
      progress?.finish();
      const exitCode = result.failed.length === 0 ? ExitCode.Ok : ExitCode.Failure;
      const { out } = context;
      if (out.json) out.result({ kekId: current, keyringId: keyring.id, ...result, exitCode });
      else {
        out.line(
          `rewrap under KEK ${current} (${keyring.id}): ${result.rewrapped} keys re-wrapped, ${result.failed.length} failed`,
        );
        for (const f of result.failed) out.line(`  key ${f.keyId}: ${f.code}`);
        out.line(
          result.failed.length === 0
            ? '  every key is under the current KEK: the old KEK can be removed from the keyring'
            : '  fix the failures (is the old KEK still in the keyring?) and run again; keep the old KEK meanwhile',
        );
      }
      return exitCode;
    });
  },
};
