import { usageError } from '../../lib/cli-error.js';
import type { Command } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { readAnyKeyFile } from './any-key-file.js';
import { spkiPin, summarize } from './key-summary.js';

export const keysPinCommand: Command = {
  name: 'keys pin',
  summary: 'print the pins a client needs for a key file (one per line)',
  usage: '<key file> [--json]',
  description: [
    'Pins are "sha256/" + base64 of the SHA-256 of the key\'s SubjectPublicKeyInfo. For a cl1 key set, the',
    'keys valid now or later (those the discovery document publishes); expired keys are left out. Give them',
    'to the client as pins: [...] — a pinned client never uses any other key.',
  ].join('\n'),
  options: {},
  maxPositionals: 1,
  examples: [
    'cipherlayer keys pin server-keys.json',
    'cipherlayer keys pin discovery.json --json',
    'cipherlayer keys pin jwe.pub.pem',
  ],
  async run({ positionals, out }) {
    const path = positionals[0];
    if (path === undefined) throw usageError('give the key file: cipherlayer keys pin <file>');
    const file = await readAnyKeyFile(path);
    const now = Date.now();
    let pins: { kid: number | string | null; pin: string }[];
    if (file.kind === 'seed') {
      if (file.file.publicKey === undefined)
        throw usageError(`${path} is a symmetric key: it has no public key to pin`);
      pins = [
        { kid: (file.file.facts.kid as string | undefined) ?? null, pin: spkiPin(file.file.publicKey) },
      ];
    } else {
      const keys =
        file.kind === 'cl1'
          ? summarize(file.set, now).map((k) => ({
              kid: k.kid,
              pin: k.pin,
              notAfter: k.notAfter === null ? undefined : Date.parse(k.notAfter),
            }))
          : file.keys.map((k) => ({ kid: k.keyId, pin: k.pin, notAfter: k.notAfter }));
      pins = keys
        .filter((k) => k.notAfter === undefined || k.notAfter > now)
        .map((k) => ({ kid: k.kid, pin: k.pin }));
    }
    if (pins.length === 0) throw usageError(`${path} has no key valid now or later: nothing to pin`);
    if (out.json) out.result({ file: path, pins });
    else for (const { pin } of pins) out.line(pin);
    return ExitCode.Ok;
  },
};
