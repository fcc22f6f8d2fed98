import { usageError } from '../../lib/cli-error.js';
import { openJwe } from './open-jwe.js';
import { openRsaSessionRequest, openRsaSessionResponse } from './open-rsa-session.js';
import { openStaticKeyEnvelope } from './open-static-key.js';
import type { OpenedEnvelope } from './opened-envelope.js';
import type { SeedEnvelope } from './seed-envelopes.js';
import { readSeedKey } from './seed-key-file.js';

/** Which key file opens the envelope, and through which option. */
export interface KeyChoice {
  readonly option: '--key' | '--aes-key';
  readonly path: string;
}

/**
 * The key file for this envelope from the command line, before anything is
 * read: `--key` (a private key, or static-key's AES key), or for an
 * rsa-session response `--aes-key` (the AES key of the request it answers).
 */
export function chooseKey(
  envelope: SeedEnvelope,
  files: { readonly key?: string | undefined; readonly aesKey?: string | undefined },
): KeyChoice {
  if (envelope.format === 'rsa-session' && envelope.kind === 'response') {
    if (files.aesKey === undefined)
      throw usageError(
        'an rsa-session response is sealed with the AES key of the request it answers, not with a private key: give that key with --aes-key <file>',
      );
    return { option: '--aes-key', path: files.aesKey };
  }
  if (files.key === undefined)
    throw usageError(
      `--aes-key opens rsa-session responses; this ${envelope.format} ${envelope.format === 'rsa-session' ? 'request' : 'envelope'} opens with --key <file>`,
    );
  return { option: '--key', path: files.key };
}

export async function openSeedEnvelope(envelope: SeedEnvelope, choice: KeyChoice): Promise<OpenedEnvelope> {
  const key = await readSeedKey(choice.path, choice.option);
  switch (envelope.format) {
    case 'rsa-session':
      return envelope.kind === 'response'
        ? openRsaSessionResponse(envelope, key, choice.path)
        : openRsaSessionRequest(envelope, key, choice.path);
    case 'static-key':
      return await openStaticKeyEnvelope(envelope, key, choice.path);
    case 'jwe':
      return await openJwe(envelope, key, choice.path);
  }
}
