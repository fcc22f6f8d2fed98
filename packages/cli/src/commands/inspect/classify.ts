import { inputError } from '../../lib/cli-error.js';
import { type Cl1Description, cl1FromJson, describeCl1 } from './cl1.js';
import { isBinaryCl1 } from './read-message.js';
import {
  describeCompact,
  describeJsonEnvelope,
  type EnvelopeDescription,
  type RecognisedEnvelope,
  type SeedEnvelope,
} from './seed-envelopes.js';

export type Description = Cl1Description | EnvelopeDescription;

export interface Classified {
  readonly description: Description;
  /** The binary cl1 message, when it is one (for --key). */
  readonly cl1?: Uint8Array;
  /** The seed-profile envelope, when it is one that a key opens (for --key). */
  readonly envelope?: SeedEnvelope;
}

function recognised({ description, envelope }: RecognisedEnvelope): Classified {
  return envelope === undefined ? { description } : { description, envelope };
}

function preview(text: string): string {
  const shown = text.slice(0, 24).replace(/[^\x20-\x7e]/g, '.');
  return `"${shown}${text.length > 24 ? '...' : ''}"`;
}

function classifyJson(value: unknown, now: number): Classified {
  if (typeof value === 'string') return classifyText(value.trim(), now);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw inputError('JSON, but not an object: neither a cl1 message nor a seed-profile envelope');
  const record = value as Record<string, unknown>;
  if ('cl1' in record) {
    const bytes = cl1FromJson(record);
    return { description: describeCl1(bytes, 'json', now), cl1: bytes };
  }
  const envelope = describeJsonEnvelope(record);
  if (envelope !== undefined) return recognised(envelope);
  if (typeof record.protected === 'string' && typeof record.ciphertext === 'string')
    throw inputError('a JWE in JSON serialization: only the compact form (seed 004) is recognised');
  throw inputError(
    `JSON, but not a cl1 message or a seed-profile envelope (members: ${Object.keys(record).slice(0, 8).join(', ') || 'none'})`,
  );
}

function classifyText(text: string, now: number): Classified {
  if (text.startsWith('{') || text.startsWith('"')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw inputError(`starts like JSON but is not JSON: ${(error as Error).message}`, error);
    }
    return classifyJson(value, now);
  }
  if (text.includes('.')) {
    const compact = describeCompact(text);
    if (compact !== undefined) return recognised(compact);
  }
  if (/^[A-Za-z0-9_-]+$/.test(text)) {
    const bytes = Buffer.from(text, 'base64url');
    if (isBinaryCl1(bytes)) return { description: describeCl1(bytes, 'base64url', now), cl1: bytes };
  }
  throw inputError(
    `not a cl1 message or a seed-profile envelope: ${preview(text)} is neither binary cl1 (first byte 0xc1), JSON, base64url nor a JWE`,
  );
}

/** Recognises the message: binary cl1, cl1 JSON, base64url cl1 (the Cipherlayer header), or a seed envelope. */
export function classify(bytes: Uint8Array, now: number): Classified {
  if (isBinaryCl1(bytes)) return { description: describeCl1(bytes, 'binary', now), cl1: bytes };
  const text = Buffer.from(bytes)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trim();
  if (text.length === 0) throw inputError('the message is empty');
  return classifyText(text, now);
}
