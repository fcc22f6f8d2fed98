// Seed 002's Angular CryptoService, reproduced verbatim from
// ../shared/seeds/002_*.txt ("03 Angular side"), minus the @Injectable
// decorator, and run in Node on its global Web Crypto (`crypto.subtle`,
// `atob`), as the browser would. `environment` stands in for the Angular
// environment file the seed reads its key from.
export const environment = { aesKey: '' };

export class CryptoService {
  private keyPromise = this.importKey();

  private async importKey() {
    const hexKey = environment.aesKey; // same as server
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

/**
 * The seed's interceptor logic, without Angular: a response whose body has a
 * truthy `data` is decrypted, anything else passes as it is.
 */
export async function seedInterceptor(body: unknown, service: CryptoService): Promise<unknown> {
  const data = (body as { data?: unknown } | null)?.data;
  if (data) return await service.decrypt(data as string);
  return body;
}
