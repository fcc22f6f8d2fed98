import { generateServerKey, type PrivateKeySetDocument, runFlow, type Suite } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { choiceValue, dateValue, integerValue } from '../../lib/args.js';
import { usageError } from '../../lib/cli-error.js';
import type { Command } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { PRIVATE_MODE, writeOutput } from '../../lib/files.js';
import { DEFAULT_VALID_DAYS, SUITES, validityFromArgs } from './generate.js';
import { importKeySet, readKeySetFile } from './key-set-file.js';
import { keyTable, summarize } from './key-summary.js';

const DAY_MS = 86_400_000;

/** When the older keys must stop: --retire-old-at <date> or --retire-old-in <days>; undefined keeps their notAfter. */
function retirement(values: Parameters<Command['run']>[0]['values'], now: number): number | undefined {
  const at = dateValue(values, 'retire-old-at');
  const days = integerValue(values, 'retire-old-in', 0, 3650);
  if (at !== undefined && days !== undefined)
    throw usageError('give --retire-old-at or --retire-old-in, not both');
  const time = at?.getTime() ?? (days === undefined ? undefined : now + days * DAY_MS);
  if (time !== undefined && time <= now)
    throw usageError(
      'old keys must stay valid for a while after rotation: clients still hold the old discovery document',
    );
  return time;
}

/**
 * The id after the highest in use, wrapping to the lowest free one after 255:
 * an id is not reused soon after its key left, so a client holding an old
 * discovery document never seals to a different key under the same id.
 */
export function nextKeyId(ids: readonly number[], lowestFree: () => number): number {
  const next = Math.max(...ids) + 1;
  return next <= 255 ? next : lowestFree();
}

export const keysRotateCommand: Command = {
  name: 'keys rotate',
  summary: 'add a new key with the next id; older keys stay until their expiry',
  usage: '<key file> [--suite x25519|p256] [--valid-days n] [--retire-old-in days | --retire-old-at date]',
  description: [
    'Rotation overlaps: the new key is added and becomes current (discovery lists it first, new sessions use it),',
    'while older keys keep opening messages until their notAfter. Keys already expired are removed. With',
    '--retire-old-in/--retire-old-at, older keys that would outlive that moment get it as their notAfter.',
    'The file is replaced atomically (0600). Pinned clients need the new pin before the old key expires.',
  ].join('\n'),
  options: {
    suite: {
      type: 'string',
      value: 'x25519|p256',
      description: 'suite of the new key (default: the current key’s)',
    },
    'not-before': { type: 'string', value: 'date', description: 'the new key is valid from (default now)' },
    'not-after': { type: 'string', value: 'date', description: 'the new key is valid until' },
    'valid-days': {
      type: 'string',
      value: 'days',
      description: `the new key's lifetime (default ${DEFAULT_VALID_DAYS})`,
    },
    'retire-old-in': {
      type: 'string',
      value: 'days',
      description: 'older keys expire at most this many days from now',
    },
    'retire-old-at': {
      type: 'string',
      value: 'date',
      description: 'older keys expire at the latest at this date',
    },
  },
  maxPositionals: 1,
  examples: [
    'cipherlayer keys rotate server-keys.json',
    'cipherlayer keys rotate server-keys.json --retire-old-in 14',
    'cipherlayer keys rotate server-keys.json --suite p256 --valid-days 180 --json',
  ],
  async run({ positionals, values, out }) {
    const path = positionals[0];
    if (path === undefined) throw usageError('give the key file: cipherlayer keys rotate <file>');
    const { set } = await readKeySetFile(path);
    const now = Date.now();
    const { notBefore, notAfter } = validityFromArgs(values, now);
    const retireAt = retirement(values, now);
    let previous: Suite;
    try {
      previous = set.current(now).suite;
    } catch {
      previous = (set.keys[set.keys.length - 1] ?? set.keys[0])?.suite as Suite;
    }
    const fallback = Object.entries(SUITES).find(([, s]) => s === previous)?.[0] ?? 'x25519';
    const suite = SUITES[
      choiceValue(values, 'suite', ['x25519', 'p256'] as const, fallback as 'x25519')
    ] as Suite;
    const keyId = nextKeyId(
      set.keys.map((k) => k.keyId),
      () => set.nextKeyId(),
    );
    const key = runFlow(nodeBackend, generateServerKey({ keyId, suite, notBefore, notAfter }));
    const rotated = set.withKey(key, now);
    const removed = set.keys.filter((k) => !rotated.keys.includes(k)).map((k) => k.keyId);

    const document: PrivateKeySetDocument = rotated.toPrivateDocument();
    if (retireAt !== undefined)
      for (const jwk of document.keys)
        if (jwk.kid !== String(keyId) && (jwk.notAfter === undefined || Date.parse(jwk.notAfter) > retireAt))
          jwk.notAfter = new Date(retireAt).toISOString();
    // Import what will be written: a document that would not load is never saved.
    const saved = importKeySet(document, 'the rotated key set');
    await writeOutput(path, `${JSON.stringify(document, null, 2)}\n`, {
      mode: PRIVATE_MODE,
      replace: true,
      what: 'keys',
    });

    const keys = summarize(saved, now);
    const added = keys.find((k) => k.kid === keyId);
    if (out.json) {
      out.result({ file: path, added, removed, keys });
      return ExitCode.Ok;
    }
    out.line(
      `added key ${keyId} (${added?.suite}) to ${path}${removed.length ? `; removed expired keys ${removed.join(', ')}` : ''}`,
    );
    for (const line of keyTable(keys)) out.line(line);
    out.line('');
    out.line(
      'next: load the new file in every server (ServerProtocol.setKeys or a restart), then give pinned',
    );
    out.line(`clients the new pin before the old keys expire: ${added?.pin}`);
    return ExitCode.Ok;
  },
};
