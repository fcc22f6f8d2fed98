import { createHash, type KeyObject } from 'node:crypto';
import {
  type PublicKeyJwk,
  publicKeyPin,
  runFlow,
  type ServerKey,
  type ServerKeySet,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { columns } from '../../lib/output.js';

/** What `keys list` and friends show of a cl1 key: public facts only. */
export interface KeySummary {
  readonly kid: number;
  readonly suite: string;
  readonly notBefore: string | null;
  readonly notAfter: string | null;
  readonly state: 'valid' | 'expired' | 'not yet valid';
  /** The newest key valid now: the one new sessions and discovery prefer. */
  readonly current: boolean;
  readonly pin: string;
}

export function suiteName(key: ServerKey): string {
  return `${key.suite.kem.curve}`;
}

export function summarize(set: ServerKeySet, now: number): KeySummary[] {
  let current: ServerKey | undefined;
  try {
    current = set.current(now);
  } catch {
    current = undefined;
  }
  return set.keys.map((key) => ({
    kid: key.keyId,
    suite: suiteName(key),
    notBefore: key.notBefore === undefined ? null : new Date(key.notBefore).toISOString(),
    notAfter: key.notAfter === undefined ? null : new Date(key.notAfter).toISOString(),
    state: key.isValidAt(now)
      ? 'valid'
      : key.notAfter !== undefined && now >= key.notAfter
        ? 'expired'
        : 'not yet valid',
    current: key === current,
    pin: runFlow(nodeBackend, publicKeyPin(key.suite.kem.curve, key.publicKey)),
  }));
}

export function keyTable(keys: readonly KeySummary[]): string[] {
  return columns([
    ['kid', 'suite', 'not before', 'not after', 'state', 'pin'],
    ...keys.map((k) => [
      `${k.kid}${k.current ? '*' : ''}`,
      k.suite,
      k.notBefore ?? '-',
      k.notAfter ?? 'never',
      k.state,
      k.pin,
    ]),
  ]);
}

/** "sha256/" + base64 SHA-256 of the SubjectPublicKeyInfo: the same form as cl1 pins and HPKP. */
export function spkiPin(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(der).digest('base64')}`;
}

export type { PublicKeyJwk };
