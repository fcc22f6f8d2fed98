/**
 * Structural detection of the seed profiles' envelopes (seed 001
 * rsa-session, seed 002 static-key, seed 004 JWE). The profiles themselves
 * are not implemented yet: this only shows what an envelope is made of.
 */
export interface EnvelopeDescription {
  readonly format: 'rsa-session' | 'static-key' | 'jwe' | 'jws';
  readonly kind: string;
  readonly encoding: string;
  readonly parts: Readonly<Record<string, number>>;
  readonly header?: Readonly<Record<string, unknown>>;
  readonly notes: readonly string[];
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

const NOT_YET =
  'structure only: the seed profiles are a later issue, so nothing is decrypted or checked here';

function lengthNotes(parts: Record<string, number>, iv: string, tag: string): string[] {
  const notes: string[] = [];
  if (parts[iv] !== undefined && parts[iv] !== 12)
    notes.push(`${iv} is ${parts[iv]} bytes; AES-GCM expects 12`);
  if (parts[tag] !== undefined && parts[tag] !== 16)
    notes.push(`${tag} is ${parts[tag]} bytes; a full GCM tag is 16`);
  return notes;
}

/** A JSON envelope of seed 001 or 002, or undefined. */
export function describeJsonEnvelope(value: Record<string, unknown>): EnvelopeDescription | undefined {
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
    return {
      format: 'rsa-session',
      kind: 'request (seed 001)',
      encoding: 'json, base64 fields',
      parts: { ...parts, plaintext: parts.encryptedData ?? 0 },
      notes: [
        `encryptedAesKey is one RSA-OAEP block: a ${bits}-bit RSA key${bits === 2048 ? ' (RSA-2048, as the seed)' : ''}`,
        ...lengthNotes(parts, 'iv', 'authTag'),
        NOT_YET,
      ],
    };
  }
  if (sameKeys(value, ['encryptedData', 'iv', 'authTag'])) {
    const parts = lengths(['encryptedData', 'iv', 'authTag']);
    if (parts === undefined) return undefined;
    return {
      format: 'rsa-session',
      kind: 'response (seed 001)',
      encoding: 'json, base64 fields',
      parts: { ...parts, plaintext: parts.encryptedData ?? 0 },
      notes: [
        ...lengthNotes(parts, 'iv', 'authTag'),
        'sealed with the AES key of the request it answers',
        NOT_YET,
      ],
    };
  }
  if (sameKeys(value, ['data'])) {
    const total = decodedLength(value.data);
    if (total === undefined || total < 28) return undefined;
    return {
      format: 'static-key',
      kind: 'payload (seed 002)',
      encoding: 'json, base64(iv || tag || ciphertext)',
      parts: { total, iv: 12, tag: 16, ciphertext: total - 28, plaintext: total - 28 },
      notes: [
        'one static AES-256-GCM key for every client: no key id, no binding, no replay protection',
        NOT_YET,
      ],
    };
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
export function describeCompact(text: string): EnvelopeDescription | undefined {
  const parts = text.split('.');
  if (!parts.every((p) => BASE64URL.test(p))) return undefined;
  const header = parts[0] === undefined ? undefined : jsonSegment(parts[0]);
  if (header === undefined) return undefined;
  if (parts.length === 3)
    return {
      format: 'jws',
      kind: 'JWS / JWT (signed, not encrypted)',
      encoding: 'compact',
      parts: { header: length(parts[0]), payload: length(parts[1]), signature: length(parts[2]) },
      header: pick(header, ['alg', 'kid', 'typ']),
      notes: ['not an encryption envelope: anyone can read the payload'],
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
  return {
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
      NOT_YET,
    ],
  };
}

function length(segment: string | undefined): number {
  return segment === undefined ? 0 : Buffer.from(segment, 'base64url').length;
}

function pick(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]));
}
