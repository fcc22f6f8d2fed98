import { type PublishedKey, publicKeyPin, runFlow } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { usageError } from '../../lib/cli-error.js';
import type { Command } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { readAnyKeyFile } from './any-key-file.js';
import { type KeySummary, keyTable, summarize } from './key-summary.js';

function published(keys: readonly PublishedKey[], now: number): KeySummary[] {
  return keys.map((key) => ({
    kid: key.keyId,
    suite: key.suite.kem.curve,
    notBefore: key.notBefore === undefined ? null : new Date(key.notBefore).toISOString(),
    notAfter: key.notAfter === undefined ? null : new Date(key.notAfter).toISOString(),
    state:
      key.notAfter !== undefined && now >= key.notAfter
        ? 'expired'
        : key.notBefore !== undefined && now < key.notBefore
          ? 'not yet valid'
          : 'valid',
    current: false,
    pin: runFlow(nodeBackend, publicKeyPin(key.suite.kem.curve, key.publicKey)),
  }));
}

export const keysListCommand: Command = {
  name: 'keys list',
  summary: 'show the keys in a key file: ids, suites, validity, pins (never private material)',
  usage: '<key file> [--json]',
  description:
    'Reads a cl1 key set (the current key is marked *), a discovery document, or a seed profile key (PEM, JWK, hex).',
  options: {},
  maxPositionals: 1,
  examples: [
    'cipherlayer keys list server-keys.json',
    'cipherlayer keys list server-keys.json --json | jq ".keys[].pin"',
  ],
  async run({ positionals, out }) {
    const path = positionals[0];
    if (path === undefined) throw usageError('give the key file: cipherlayer keys list <file>');
    const file = await readAnyKeyFile(path);
    const now = Date.now();
    if (file.kind === 'seed') {
      if (out.json) out.result({ file: path, kind: file.file.kind, ...file.file.facts });
      else
        for (const [name, value] of Object.entries({ kind: file.file.kind, ...file.file.facts }))
          out.line(`${name}: ${value}`);
      return ExitCode.Ok;
    }
    const keys = file.kind === 'cl1' ? summarize(file.set, now) : published(file.keys, now);
    if (out.json) out.result({ file: path, kind: file.kind, keys });
    else {
      for (const line of keyTable(keys)) out.line(line);
      if (file.kind === 'cl1')
        out.line(out.style('dim', '* the current key: new requests and sessions use it'));
    }
    return ExitCode.Ok;
  },
};
