import type { Keyring, Records } from '@cipherlayer/records';
import type { CommandContext, OptionSpec } from '../../lib/command.js';
import { Progress } from '../../lib/progress.js';
import { openFromArgs } from './open-records.js';

export const QUIET_OPTION: Readonly<Record<string, OptionSpec>> = {
  quiet: { type: 'boolean', short: 'q', description: 'no progress display' },
};

/** Opens the records of the command line, runs `work`, and closes the database and keyring whatever happens. */
export async function withRecords<T>(
  context: CommandContext,
  work: (records: Records, keyring: Keyring) => Promise<T>,
): Promise<T> {
  const { records, keyring } = await openFromArgs(context);
  try {
    return await work(records, keyring);
  } finally {
    await records.close().catch(() => undefined);
    await keyring.close?.().catch(() => undefined);
  }
}

/** A progress display on stderr, or none with --quiet. */
export function progressFor(context: CommandContext): Progress | undefined {
  if (context.values.quiet === true) return undefined;
  const stderr = context.out.stderr;
  return new Progress((text) => stderr.write(text), { terminal: context.out.stderrIsTerminal });
}

/**
 * Ctrl-C (or SIGTERM) asks the job to stop after its current batch; a second
 * Ctrl-C quits at once (the batch in flight is rolled back by the database).
 */
export function stopOnSignals(context: CommandContext): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    context.out.note(
      '\nstopping after the current batch; press Ctrl-C again to quit now (the job resumes either way)',
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
