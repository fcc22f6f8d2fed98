import {
  generateServerKey,
  P256_SHA256_AES256GCM,
  runFlow,
  ServerKeySet,
  type Suite,
  X25519_SHA256_AES256GCM,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { choiceValue, dateValue, integerValue, stringValue } from '../../lib/args.js';
import { usageError } from '../../lib/cli-error.js';
import type { Command, CommandContext } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { PRIVATE_MODE, PUBLIC_MODE, writeOutput } from '../../lib/files.js';
import { keyTable, summarize } from './key-summary.js';
import { jweKey, rsaSessionKey, type SeedKeyMaterial, staticKey } from './seed-keys.js';

const PROFILES = ['cl1', 'rsa-session', 'jwe', 'static-key'] as const;
const DAY_MS = 86_400_000;
export const DEFAULT_VALID_DAYS = 365;

export const SUITES: Record<string, Suite> = { x25519: X25519_SHA256_AES256GCM, p256: P256_SHA256_AES256GCM };

/** notBefore / notAfter from --not-before, --not-after or --valid-days (default one year). */
export function validityFromArgs(
  values: CommandContext['values'],
  now: number,
): { notBefore: number; notAfter: number } {
  const notBefore = dateValue(values, 'not-before')?.getTime() ?? now;
  const explicit = dateValue(values, 'not-after');
  const days = integerValue(values, 'valid-days', 1, 3650);
  if (explicit !== undefined && days !== undefined)
    throw usageError('give --not-after or --valid-days, not both');
  const notAfter = explicit?.getTime() ?? notBefore + (days ?? DEFAULT_VALID_DAYS) * DAY_MS;
  if (notAfter <= notBefore) throw usageError('--not-after must be later than --not-before');
  if (notAfter <= now) throw usageError('the key would already be expired: choose a later --not-after');
  return { notBefore, notAfter };
}

async function writeKeyFiles(
  context: CommandContext,
  out: string,
  privateText: string,
  publicText: string | undefined,
): Promise<void> {
  const replace = context.values.force === true;
  if (out === '-') context.out.raw(privateText);
  else await writeOutput(out, privateText, { mode: PRIVATE_MODE, replace, what: 'private key' });
  const publicOut = stringValue(context.values, 'public-out');
  if (publicOut !== undefined) {
    if (publicText === undefined) throw usageError('--public-out: a static key has no public part');
    await writeOutput(publicOut, publicText, { mode: PUBLIC_MODE, replace, what: 'public key' });
  }
}

async function generateCl1(context: CommandContext, out: string): Promise<number> {
  const { values } = context;
  const suiteName = choiceValue(values, 'suite', ['x25519', 'p256'] as const, 'x25519');
  const keyId = integerValue(values, 'kid', 0, 255) ?? 1;
  const now = Date.now();
  const { notBefore, notAfter } = validityFromArgs(values, now);
  const key = runFlow(
    nodeBackend,
    generateServerKey({ keyId, suite: SUITES[suiteName] as Suite, notBefore, notAfter }),
  );
  const set = new ServerKeySet([key]);
  const discovery = runFlow(nodeBackend, set.discovery(now));
  await writeKeyFiles(
    context,
    out,
    `${JSON.stringify(set.toPrivateDocument(), null, 2)}\n`,
    `${JSON.stringify(discovery, null, 2)}\n`,
  );
  const keys = summarize(set, now);
  report(context, out, { profile: 'cl1', keys }, [
    ...keyTable(keys),
    '',
    'Serve it with importServerKeySet(JSON.parse(file)); give clients the pin (cipherlayer keys pin).',
  ]);
  return ExitCode.Ok;
}

function report(
  context: CommandContext,
  out: string,
  result: Record<string, unknown>,
  lines: string[],
): void {
  const { out: output } = context;
  const written = out === '-' ? 'stdout' : out;
  if (output.json) {
    output.result({ file: written, ...result });
    return;
  }
  // With the key on stdout, the summary goes to stderr.
  const say = out === '-' ? (line: string) => output.note(line) : (line: string) => output.line(line);
  say(`wrote ${result.profile} private key to ${written}${out === '-' ? '' : ' (mode 0600)'}`);
  for (const line of lines) say(line);
}

async function generateSeed(
  context: CommandContext,
  out: string,
  profile: Exclude<(typeof PROFILES)[number], 'cl1'>,
) {
  const { values } = context;
  for (const name of ['suite', 'kid', 'not-before', 'not-after', 'valid-days'])
    if (values[name] !== undefined && !(profile === 'jwe' && name === 'kid'))
      throw usageError(`--${name} is for cl1 keys${name === 'kid' ? ' and jwe' : ''}, not ${profile}`);
  let material: SeedKeyMaterial;
  if (profile === 'rsa-session') material = rsaSessionKey();
  else if (profile === 'static-key') material = staticKey();
  else {
    const curve = choiceValue(values, 'curve', ['P-521', 'P-256'] as const, 'P-521');
    const format = choiceValue(values, 'format', ['pem', 'jwk'] as const, 'pem');
    material = jweKey(curve, format, stringValue(values, 'kid'));
  }
  await writeKeyFiles(context, out, material.privateText, material.publicText);
  const lines = Object.entries(material.facts).map(([k, v]) => `  ${k}: ${v}`);
  if (material.publicText !== undefined && stringValue(values, 'public-out') === undefined && out !== '-')
    lines.push('public key:', material.publicText.trimEnd());
  if (profile === 'static-key')
    lines.push('  use: AES_KEY=$(cat <file>); the same key must reach every client (seed 002)');
  report(
    context,
    out,
    { profile, ...material.facts, ...(material.publicText ? { publicKey: material.publicText } : {}) },
    lines,
  );
  return ExitCode.Ok;
}

export const keysGenerateCommand: Command = {
  name: 'keys generate',
  summary: 'make a cl1 key set, or the key material of a seed profile',
  usage: '--out <file> [--profile cl1|rsa-session|jwe|static-key] [options]',
  description: [
    'cl1 (default): a key set file of private JWKs for importServerKeySet, one X25519 (or P-256) key with an id',
    'and a validity (one year by default). rsa-session: RSA-2048, PKCS#8 PEM (public: SPKI PEM). jwe: EC P-521',
    '(or P-256) as PEM or JWK. static-key: 256 random bits in hex.',
    'Private files are written 0600 and never replaced without --force; --out - prints the key on stdout.',
  ].join('\n'),
  options: {
    out: {
      type: 'string',
      short: 'o',
      value: 'file',
      description: 'where the private key goes (- for stdout)',
    },
    profile: { type: 'string', value: 'name', description: 'cl1 (default), rsa-session, jwe or static-key' },
    suite: { type: 'string', value: 'x25519|p256', description: 'cl1: the HPKE suite (default x25519)' },
    kid: { type: 'string', value: 'id', description: 'cl1: key id 0-255 (default 1); jwe: the JWK kid' },
    'not-before': { type: 'string', value: 'date', description: 'cl1: valid from (ISO 8601; default now)' },
    'not-after': { type: 'string', value: 'date', description: 'cl1: valid until (ISO 8601)' },
    'valid-days': {
      type: 'string',
      value: 'days',
      description: `cl1: lifetime in days (default ${DEFAULT_VALID_DAYS})`,
    },
    curve: {
      type: 'string',
      value: 'P-521|P-256',
      description: 'jwe: the curve (default P-521, as seed 004)',
    },
    format: { type: 'string', value: 'pem|jwk', description: 'jwe: key file format (default pem)' },
    'public-out': {
      type: 'string',
      value: 'file',
      description: 'also write the public part (cl1: a discovery document)',
    },
    force: { type: 'boolean', description: 'replace existing files' },
  },
  examples: [
    'cipherlayer keys generate --out server-keys.json',
    'cipherlayer keys generate --out keys.json --suite p256 --kid 7 --valid-days 90',
    'cipherlayer keys generate --profile rsa-session --out rsa.key --public-out rsa.pub',
    'cipherlayer keys generate --profile jwe --format jwk --kid enc-1 --out jwe.json',
    'cipherlayer keys generate --profile static-key --out aes.hex',
  ],
  async run(context) {
    const out = stringValue(context.values, 'out');
    if (out === undefined)
      throw usageError(
        '--out <file> is required: private keys go to a file made 0600 (or --out - for stdout)',
      );
    if (out === '-' && context.out.json)
      throw usageError('--out - and --json both want stdout; give --out a file');
    const profile = choiceValue(context.values, 'profile', PROFILES, 'cl1');
    for (const name of ['curve', 'format'])
      if (context.values[name] !== undefined && profile !== 'jwe')
        throw usageError(`--${name} is for --profile jwe`);
    return profile === 'cl1' ? generateCl1(context, out) : generateSeed(context, out, profile);
  },
};
