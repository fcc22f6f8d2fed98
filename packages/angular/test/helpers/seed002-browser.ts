/*
 * Seed 002's Angular CryptoService (../shared/seeds/002_*.txt, "Angular
 * side"), reproduced verbatim except: no @Injectable decorator, the hex key
 * is a constructor argument instead of `environment.aesKey`, TypeScript
 * annotations, and Biome's line breaks. Used to check that what
 * StaticKeyCrypto.encrypt produces opens with the seed's own browser code.
 */
export class SeedCryptoService {
  private keyPromise: Promise<CryptoKey>;

  constructor(private readonly aesKey: string) {
    this.keyPromise = this.importKey();
  }

  private async importKey() {
    const hexKey = this.aesKey; // same as server
    const bytes = new Uint8Array(hexKey.match(/.{2}/g)!.map((b) => parseInt(b, 16)));
    return crypto.subtle.importKey('raw', bytes, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  }

  async decrypt(payload: string) {
    const key = await this.keyPromise;
    const buf = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
    const iv = buf.slice(0, 12);
    const tag = buf.slice(12, 28);
    const enc = buf.slice(28);
    // Web Crypto wants ciphertext+tag together
    const combined = new Uint8Array(enc.length + tag.length);
    combined.set(enc, 0);
    combined.set(tag, enc.length);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, combined);
    return JSON.parse(new TextDecoder().decode(plain));
  }
}
