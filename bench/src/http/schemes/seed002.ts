import crypto from 'node:crypto';

/**
 * Seed 002 ("Level 3"), as its article writes it: the server wraps every
 * JSON answer into `{ data: base64(iv ‖ tag ‖ ciphertext) }` with
 * AES-256-GCM. `encrypt` is the article's helper, unchanged but for types;
 * the Express middleware and its Fastify port are in the server apps.
 */

// Encrypt response payloads using AES-256-GCM (the seed's helper).
export function encrypt(data: unknown, key: Buffer): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const enc = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return Buffer.concat([iv, tag, enc]).toString('base64');
}

/** The seed's key, read where and as the seed reads it: on every response, from `process.env.AES_KEY`. */
export function seedKey(): Buffer {
  return Buffer.from(process.env.AES_KEY as string, 'hex');
}

/** Checked once at start-up, so that `seedKey` can stay the seed's one-liner. */
export function checkSeedKey(): void {
  if (!/^[0-9a-f]{64}$/i.test(process.env.AES_KEY ?? '')) throw new Error('AES_KEY must be 64 hex digits');
}

/**
 * The seed's client side (its Angular CryptoService.decrypt), on node:crypto:
 * splits iv, tag and ciphertext and returns the parsed JSON. Used to check
 * the variant's answers, not timed.
 */
export function decrypt(payload: string, key: Buffer): unknown {
  const buf = Buffer.from(payload, 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  decipher.setAuthTag(buf.subarray(12, 28));
  const plain = Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}
