import {
  fromBase64Url,
  hpkeSuite,
  type SessionKeyMaterial,
  type SessionRecord,
  toBase64Url,
} from '@cipherlayer/core';

/** The immutable part of a session record: what the `keys` field holds (sealed). */
export type SessionSecrets = Omit<SessionRecord, 'attributes'>;

interface SecretsJson {
  suite: [number, number, number];
  c2sKey: string;
  c2sIv: string;
  s2cKey: string;
  s2cIv: string;
  createdAt: number;
  expiresAt: number;
  maxMessages: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeSecrets(record: SessionRecord): Uint8Array {
  const { material } = record;
  const json: SecretsJson = {
    suite: [material.suite.kem.id, material.suite.kdf.id, material.suite.aead.id],
    c2sKey: toBase64Url(material.c2sKey),
    c2sIv: toBase64Url(material.c2sIv),
    s2cKey: toBase64Url(material.s2cKey),
    s2cIv: toBase64Url(material.s2cIv),
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    maxMessages: record.maxMessages,
  };
  return encoder.encode(JSON.stringify(json));
}

export function encodeAttributes(attributes: Readonly<Record<string, string>>): Uint8Array {
  return encoder.encode(JSON.stringify(attributes));
}

function parse(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function bytesOf(value: unknown, length: number): Uint8Array | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const bytes = fromBase64Url(value);
    return bytes.length === length ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** The record's secrets, or undefined for anything malformed (the session then counts as absent). */
export function decodeSecrets(sessionId: Uint8Array, bytes: Uint8Array): SessionSecrets | undefined {
  const json = parse(bytes);
  if (!isRecord(json) || !Array.isArray(json.suite) || json.suite.length !== 3) return undefined;
  if (!isTime(json.createdAt) || !isTime(json.expiresAt) || !isTime(json.maxMessages)) return undefined;
  const [kem, kdf, aead] = json.suite as unknown[];
  let suite: SessionKeyMaterial['suite'];
  try {
    suite = hpkeSuite(Number(kem), Number(kdf), Number(aead));
  } catch {
    return undefined;
  }
  const { nk, nn } = suite.aead;
  const c2sKey = bytesOf(json.c2sKey, nk);
  const c2sIv = bytesOf(json.c2sIv, nn);
  const s2cKey = bytesOf(json.s2cKey, nk);
  const s2cIv = bytesOf(json.s2cIv, nn);
  if (!c2sKey || !c2sIv || !s2cKey || !s2cIv) return undefined;
  return {
    material: { sessionId: Uint8Array.from(sessionId), suite, c2sKey, c2sIv, s2cKey, s2cIv },
    createdAt: json.createdAt,
    expiresAt: json.expiresAt,
    maxMessages: json.maxMessages,
  };
}

export function decodeAttributes(bytes: Uint8Array): Record<string, string> | undefined {
  const json = parse(bytes);
  if (!isRecord(json)) return undefined;
  const entries = Object.entries(json);
  if (!entries.every(([, value]) => typeof value === 'string')) return undefined;
  // fromEntries defines properties: an attribute named "__proto__" stays an attribute (and stays checked).
  return Object.fromEntries(entries) as Record<string, string>;
}
