import { CompactEncrypt, decodeProtectedHeader } from 'jose';
import nodeJose from 'node-jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJweClient } from '../../src/jwe/client.js';
import { generateJweKeyPair, generateSeedKeys, JweKeySet, jwe } from '../../src/jwe.js';
import { ADAPTERS, type App, send, startApp } from '../helpers/apps.js';
import { jweService, startSeed004Server } from '../helpers/seed004.js';

/**
 * Seed 004 both ways, with the seed's own code (test/helpers/seed004.ts):
 * node-jose exactly as in createJWEToken/decodeJWE.
 */
const seedKeys = jweService.generateKeys() as { publicKey: string; privateKey: string };
const transfer = { to: 'DE89 3704', amount: 1000, userId: 123, action: 'transfer' };

describe("what seed 004's client writes", () => {
  it('node-jose, given only { format: compact }, writes ECDH-ES with A128CBC-HS256, and its own kid', async () => {
    const token = (await jweService.createJWEToken(transfer, seedKeys.publicKey)) as string;
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe('ECDH-ES');
    expect(header.enc).toBe('A128CBC-HS256');
    expect((header.epk as { crv: string }).crv).toBe('P-521');
    // the kid is the key's RFC 7638 thumbprint: our JweKeySet gives the key the same one by default
    const set = await JweKeySet.from([{ privateKey: seedKeys.privateKey }]);
    expect(header.kid).toBe(set.keys[0]?.kid);
    const imported = await nodeJose.JWK.createKeyStore().add(seedKeys.publicKey, 'pem');
    expect(imported.kid).toBe(set.keys[0]?.kid);
  });

  it('our generateSeedKeys() is the seed’s generateKeys(): secp521r1, SPKI and PKCS#8 PEM', async () => {
    const keys = generateSeedKeys();
    expect(keys.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(keys.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const token = (await jweService.createJWEToken({ a: 1 }, keys.publicKey)) as string;
    expect(await jweService.decodeJWE(token, keys.privateKey)).toBe('{"a":1}');
    const generated = await generateJweKeyPair();
    expect(generated.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-521', kid: generated.kid, use: 'enc' });
    expect(
      await jweService.decodeJWE(
        (await jweService.createJWEToken({ b: 2 }, generated.publicKey)) as string,
        generated.privateKey,
      ),
    ).toBe('{"b":2}');
  });
});

describe.each(ADAPTERS)("our server (%s) ← the seed's createJWEToken", (adapter) => {
  let app: App;
  beforeAll(async () => {
    const keys = await JweKeySet.from([{ privateKey: seedKeys.privateKey }]);
    app = await startApp(adapter, { profile: () => jwe({ keys }) as never });
  });
  afterAll(() => app.close());

  it('an application/jose body is decrypted for the route; the answer comes back in the clear, as in the seed', async () => {
    const token = (await jweService.createJWEToken(transfer, seedKeys.publicKey)) as string;
    const response = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: token,
    });
    expect(response.status).toBe(201);
    expect(response.json()).toEqual({ ok: true, to: 'DE89 3704', amount: 1000 });
    expect(app.seen.at(-1)?.body).toEqual(transfer);
    expect(app.seen.at(-1)?.profile?.details).toMatchObject({ alg: 'ECDH-ES', enc: 'A128CBC-HS256' });
  });

  it('so is a JSON body { jwe: token }', async () => {
    const token = (await jweService.createJWEToken(transfer, seedKeys.publicKey)) as string;
    const response = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jwe: token }),
    });
    expect(response.status).toBe(201);
  });

  it('any failure is 422 with a generic body, as the seed answers', async () => {
    const token = (await jweService.createJWEToken(transfer, seedKeys.publicKey)) as string;
    const parts = token.split('.');
    const tag = Buffer.from(parts[4] as string, 'base64url');
    tag.writeUInt8(tag.readUInt8(0) ^ 1, 0);
    const tampered = [parts[0], parts[1], parts[2], parts[3], tag.toString('base64url')].join('.');
    const other = generateSeedKeys();
    const foreign = (await jweService.createJWEToken(transfer, other.publicKey)) as string;
    for (const body of [tampered, 'not a jwe', foreign]) {
      const response = await send(`${app.url}/api/transfer`, {
        method: 'POST',
        headers: { 'content-type': 'application/jose' },
        body,
      });
      expect(response.status).toBe(422);
      expect(Object.keys(response.json() as object)).toEqual(['error']);
    }
    const unknownKid = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: foreign,
    });
    expect(unknownKid.status).toBe(422);
    expect(unknownKid.json()).toEqual({ error: { code: 'ERR_UNKNOWN_KEY', message: 'unknown key id' } });
    const decrypt = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: tampered,
    });
    expect(decrypt.json()).toEqual({
      error: { code: 'ERR_DECRYPT', message: 'decryption operation failed' },
    });
  });
});

describe("the seed's server (decodeJWE) → our client", () => {
  let seed: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    seed = await startSeed004Server(seedKeys.privateKey);
  });
  afterAll(() => seed.close());

  it('our client seals to the seed key (PEM), A256GCM; decodeJWE opens it; the answer comes in the clear', async () => {
    const api = createJweClient({ baseUrl: seed.url, serverKey: seedKeys.publicKey, responses: false });
    const response = await api('/api/transfer', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(transfer),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ ok: true, to: 'DE89 3704', amount: 1000 });
  });

  it('decodeJWE also opens what our client writes when it asks for sealed answers (node-jose ignores the extra members)', async () => {
    let token = '';
    const api = createJweClient({
      baseUrl: seed.url,
      serverKey: seedKeys.publicKey,
      fetch: async (url, init) => {
        token = String(init?.body);
        return await fetch(url, init);
      },
    });
    // the seed's server answers in the clear, which a client that asked for sealed answers refuses
    await expect(
      api('/api/transfer', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(transfer),
      }),
    ).rejects.toMatchObject({ code: 'ERR_PLAINTEXT_REJECTED' });
    expect(decodeProtectedHeader(token)).toMatchObject({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      cty: 'application/json',
    });
    expect(JSON.parse((await jweService.decodeJWE(token, seedKeys.privateKey)) as string)).toEqual(transfer);
  });

  it('a token from jose (panva), A256GCM, opens with decodeJWE too', async () => {
    const { createPublicKey } = await import('node:crypto');
    const token = await new CompactEncrypt(new TextEncoder().encode('{"x":1}'))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM' })
      .encrypt(createPublicKey(seedKeys.publicKey));
    expect(await jweService.decodeJWE(token, seedKeys.privateKey)).toBe('{"x":1}');
  });
});
