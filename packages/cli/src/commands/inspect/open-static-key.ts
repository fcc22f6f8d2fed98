import { importStaticKey, openBytes } from '@cipherlayer/profiles/static-key/browser';
import type { OpenedEnvelope } from './opened-envelope.js';
import type { SeedEnvelope } from './seed-envelopes.js';
import { cannotDecrypt, type SeedKey, wrongKeyType } from './seed-key-file.js';

/** Seed 002's `{data}`, opened by the profile's own envelope code (the seed's CryptoService, byte for byte). */
export async function openStaticKeyEnvelope(
  envelope: Extract<SeedEnvelope, { format: 'static-key' }>,
  key: SeedKey,
  path: string,
): Promise<OpenedEnvelope> {
  if (key.kind !== 'aes')
    wrongKeyType(
      '--key',
      path,
      key,
      "a static-key envelope opens with the AES-256 key (seed 002's AES_KEY: 64 hex digits, base64 of 32 bytes, or 32 raw bytes)",
    );
  const cryptoKey = await importStaticKey(key.key);
  try {
    return {
      plaintext: await openBytes(cryptoKey, envelope.data),
      contentType: '',
      openedWith: { key: 'AES-256', content: 'AES-256-GCM' },
    };
  } catch (cause) {
    cannotDecrypt(cause);
  }
}
