import { configError } from '../lib/errors.js';

/** Size limits, checked on the raw input before any parsing or crypto. */
export interface Limits {
  /** Largest plaintext body accepted or produced. Default 1 MiB. */
  readonly maxBodyBytes: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Header, key material, nonce and tag of the largest cl1 message, with room to spare. */
const MESSAGE_OVERHEAD = 1024;

export function resolveLimits(maxBodyBytes = DEFAULT_MAX_BODY_BYTES): Limits {
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0)
    throw configError('maxBodyBytes must be a non-negative integer');
  return { maxBodyBytes };
}

/** Largest binary message for a body limit. */
export function maxMessageBytes(limits: Limits): number {
  return limits.maxBodyBytes + MESSAGE_OVERHEAD;
}

/** Largest JSON-encoded message (base64url grows bytes by 4/3) for a body limit. */
export function maxJsonMessageLength(limits: Limits): number {
  return Math.ceil((maxMessageBytes(limits) * 4) / 3) + MESSAGE_OVERHEAD;
}
