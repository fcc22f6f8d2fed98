/**
 * Structural detection of the seed profiles' envelopes (seed 001
 * rsa-session, seed 002 static-key, seed 004 JWE): what an envelope is made
 * of, without a key. Decryption (`--key`) is in open-seed-envelope.ts.
 */
export interface EnvelopeDescription {
  readonly format: 'rsa-session' | 'static-key' | 'jwe' | 'jws';
  readonly kind: string;
  readonly encoding: string;
  readonly parts: Readonly<Record<string, number>>;
  readonly header?: Readonly<Record<string, unknown>>;
  readonly notes: readonly string[];
}

/** The parts of a recognised envelope that a key opens. */
export type SeedEnvelope =
  | {
      readonly format: 'rsa-session';
      readonly kind: 'request';
      readonly fields: Readonly<Record<'encryptedAesKey' | 'encryptedData' | 'iv' | 'authTag', string>>;
    }
  | {
      readonly format: 'rsa-session';
      readonly kind: 'response';
      readonly fields: Readonly<Record<'encryptedData' | 'iv' | 'authTag', string>>;
    }
  | { readonly format: 'static-key'; readonly data: string }
  | { readonly format: 'jwe'; readonly token: string; readonly header: Readonly<Record<string, unknown>> };

export interface RecognisedEnvelope {
  readonly description: EnvelopeDescription;
  /** Absent for what no key opens (a JWS). */
  readonly envelope?: SeedEnvelope;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodedLength(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (BASE64.test(value) || BASE64URL.test(value))
    return Buffer.from(value, BASE64URL.test(value) ? 'base64url' : 'base64').length;
  return undefined;
}

function sameKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((k) => own.includes(k));
}

export const WITHOUT_KEY = 'structure only: nothing is decrypted or checked without --key';

function lengthNotes(parts: Record<string, number>, iv: string, tag: string): string[] {
  const notes: string[] = [];
  if (parts[iv] !== undefined && parts[iv] !== 12)
    notes.push(`${iv} is ${parts[iv]} bytes; AES-GCM expects 12`);
  if (parts[tag] !== undefined && parts[tag] !== 16)
    notes.push(`${tag} is ${parts[tag]} bytes; a full GCM tag is 16`);
  return notes;
}

/** A JSON envelope of seed 001 or 002, or undefined. */
export function describeJsonEnvelope(value: Record<string, unknown>): RecognisedEnvelope | undefined {
  const lengths = (keys: readonly string[]) => {
    const out: Record<string, number> = {};
    for (const key of keys) {
      const n = decodedLength(value[key]);
      if (n === undefined) return undefined;
      out[key] = n;
    }
    return out;
  };
  if (sameKeys(value, ['encryptedAesKey', 'encryptedData', 'iv', 'authTag'])) {
    const parts = lengths(['encryptedAesKey', 'encryptedData', 'iv', 'authTag']);
    if (parts === undefined) return undefined;
    const bits = (parts.encryptedAesKey ?? 0) * 8;
    const description: EnvelopeDescription = {
      format: 'rsa-session',
      kind: 'request (seed 001)',
      encoding: 'json, base64 fields',
      parts: { ...parts, plaintext: parts.encryptedData ?? 0 },
      notes: [
        `encryptedAesKey is one RSA-OAEP block: a ${bits}-bit RSA key${bits === 2048 ? ' (RSA-2048, as the seed)' : ''}`,
        ...lengthNotes(parts, 'iv', 'authTag'),
        WITHOUT_KEY,
      ],
    };
    const fields = value as Record<'encryptedAesKey' | 'encryptedData' | 'iv' | 'authTag', string>;
    return { description, envelope: { format: 'rsa-session', kind: 'request', fields } };
  }
  if (sameKeys(value, ['encryptedData', 'iv', 'authTag'])) {
    const parts = lengths(['encryptedData', 'iv', 'authTag']);
    if (parts === undefined) return undefined;
    const description: EnvelopeDescription = {
      format: 'rsa-session',
      kind: 'response (seed 001)',
      encoding: 'json, base64 fields',
      parts: { ...parts, plaintext: parts.encryptedData ?? 0 },
      notes: [
        ...lengthNotes(parts, 'iv', 'authTag'),
        'sealed with the AES key of the request it answers (--aes-key opens it)',
        WITHOUT_KEY,
      ],
    };
    const fields = value as Record<'encryptedData' | 'iv' | 'authTag', string>;
    return { description, envelope: { format: 'rsa-session', kind: 'response', fields } };
  }
  if (sameKeys(value, ['data'])) {
    const total = decodedLength(value.data);
    if (total === undefined || total < 28) return undefined;
    const description: EnvelopeDescription = {
      format: 'static-key',
      kind: 'payload (seed 002)',
      encoding: 'json, base64(iv || tag || ciphertext)',
      parts: { total, iv: 12, tag: 16, ciphertext: total - 28, plaintext: total - 28 },
      notes: [
        'one static AES-256-GCM key for every client: no key id, no binding, no replay protection',
        WITHOUT_KEY,
      ],
    };
    return { description, envelope: { format: 'static-key', data: value.data as string } };
  }
  return undefined;
}

function jsonSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A JWE compact serialization (five parts), or a JWS/JWT (three), or undefined. */
export function describeCompact(text: string): RecognisedEnvelope | undefined {
  const parts = text.split('.');
  if (!parts.every((p) => BASE64URL.test(p))) return undefined;
  const header = parts[0] === undefined ? undefined : jsonSegment(parts[0]);
  if (header === undefined) return undefined;
  if (parts.length === 3)
    return {
      description: {
        format: 'jws',
        kind: 'JWS / JWT (signed, not encrypted)',
        encoding: 'compact',
        parts: { header: length(parts[0]), payload: length(parts[1]), signature: length(parts[2]) },
        header: pick(header, ['alg', 'kid', 'typ']),
        notes: ['not an encryption envelope: anyone can read the payload'],
      },
    };
  if (parts.length !== 5) return undefined;
  const epk = header.epk as Record<string, unknown> | undefined;
  const [, encryptedKey, iv, ciphertext, tag] = parts;
  const sizes = {
    protectedHeader: length(parts[0]),
    encryptedKey: length(encryptedKey),
    iv: length(iv),
    ciphertext: length(ciphertext),
    tag: length(tag),
  };
  const description: EnvelopeDescription = {
    format: 'jwe',
    kind: 'JWE compact (seed 004)',
    encoding: 'compact',
    parts: sizes,
    header: {
      ...pick(header, ['alg', 'enc', 'kid', 'cty', 'zip', 'typ']),
      ...(epk ? { epk: pick(epk, ['kty', 'crv']) } : {}),
    },
    notes: [
      header.alg === 'ECDH-ES'
        ? 'ECDH-ES direct: the content key is agreed, so encrypted_key is empty'
        : `key management: ${String(header.alg)}`,
      ...(header.zip === undefined ? [] : ['compressed before encryption (zip): lengths leak content']),
      WITHOUT_KEY,
    ],
  };
  return { description, envelope: { format: 'jwe', token: text, header } };
}

function length(segment: string | undefined): number {
  return segment === undefined ? 0 : Buffer.from(segment, 'base64url').length;
}

function pick(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]));
}
