import { randomBytes } from 'node:crypto';
import { type SessionRecord, X25519_SHA256_AES256GCM } from '@cipherlayer/core';

const random = (length: number) => Uint8Array.from(randomBytes(length));

/** A session record with fresh random keys, as a handshake would store it. */
export function sessionRecord(
  options: { ttlMs?: number; attributes?: Record<string, string>; now?: number } = {},
): SessionRecord {
  const now = options.now ?? Date.now();
  return {
    material: {
      sessionId: random(16),
      suite: X25519_SHA256_AES256GCM,
      c2sKey: random(32),
      c2sIv: random(12),
      s2cKey: random(32),
      s2cIv: random(12),
    },
    createdAt: now,
    expiresAt: now + (options.ttlMs ?? 60_000),
    maxMessages: 2 ** 24,
    attributes: options.attributes ?? {},
  };
}

export const storeKey = () => randomBytes(32);
