/**
 * What the login response carries for a per-session key, exactly these
 * three members (the same shape `@cipherlayer/angular` reads):
 *
 *   salt        base64, 16 to 64 random bytes
 *   iterations  PBKDF2-HMAC-SHA256 iterations
 *   wrappedKey  base64(iv(12) ‖ tag(16) ‖ ciphertext(32)): the 32-byte session key sealed with
 *               AES-256-GCM, no associated data, under PBKDF2-HMAC-SHA256(UTF-8(password), salt,
 *               iterations, 32 bytes)
 */
export interface WrappedSessionKey {
  readonly salt: string;
  readonly iterations: number;
  readonly wrappedKey: string;
}
