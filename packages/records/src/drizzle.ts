/**
 * @cipherlayer/records/drizzle: Drizzle ORM column types for encrypted
 * fields. A separate entry point so that the main one never loads drizzle-orm.
 */

export type { SealedText } from './format/field-ciphertext.js';
export { encryptedBytes, encryptedText } from './integrations/drizzle-columns.js';
