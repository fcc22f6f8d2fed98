import crypto from 'node:crypto';

/**
 * The server side of the per-session key's wire shape, written
 * independently of the package on node:crypto (README, "Per-session key"):
 * PBKDF2-HMAC-SHA256(UTF-8(password), salt, iterations, 32) wraps a fresh
 * 32-byte session key with AES-256-GCM, laid out iv ‖ tag ‖ ciphertext.
 */
export interface LoginKeyGrant {
  /** What goes into the login response. */
  readonly wire: { salt: string; iterations: number; wrappedKey: string };
  /** What the server keeps for the session. */
  readonly sessionKey: Buffer;
}

export function grantSessionKey(password: string, iterations: number, saltBytes = 16): LoginKeyGrant {
  const salt = crypto.randomBytes(saltBytes);
  const sessionKey = crypto.randomBytes(32);
  const wrappingKey = crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', wrappingKey, iv);
  const enc = Buffer.concat([cipher.update(sessionKey), cipher.final()]);
  const wrappedKey = Buffer.concat([iv, cipher.getAuthTag(), enc]).toString('base64');
  return { wire: { salt: salt.toString('base64'), iterations, wrappedKey }, sessionKey };
}
