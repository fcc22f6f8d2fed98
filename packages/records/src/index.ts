export type { EncryptionContext, Keyring, WrappedKey } from './keyring.js';
