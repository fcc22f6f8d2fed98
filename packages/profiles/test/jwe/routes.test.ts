import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { type ErrorCode, errorRegistry } from '@cipherlayer/core';
import { CompactEncrypt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import nodeJose from 'node-jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJweClient } from '../../src/jwe/client.js';
import { type GeneratedJweKey, generateJweKeyPair, JweKeySet, jwe } from '../../src/jwe.js';
import { ADAPTERS, type App, CARD, send, startApp } from '../helpers/apps.js';
import { CapturingLogger } from '../helpers/logs.js';
import { jweService } from '../helpers/seed004.js';
import { headerObject } from '../helpers/wire.js';

/**
 * The jwe profile on every adapter: seed 004's client (node-jose exactly as
 * its createJWEToken) and ours, every key kind, the algorithm allowlist,
 * kid selection across a rotation, size and decompression limits, sealed
 * answers, strict mode, and the 422 contract.
 */
const transfer = { to: 'DE89 3704', amount: 1000 };
const jose = { 'content-type': 'application/jose' };
const json = { 'content-type': 'application/json' };
const encoder = new TextEncoder();

class Clock {
  offset = 0;
  readonly now = () => Date.now() + this.offset;
}

let p521: GeneratedJweKey;
let p256: GeneratedJweKey;
let p384: GeneratedJweKey;
let x25519: GeneratedJweKey;
let rsa: GeneratedJweKey;

beforeAll(async () => {
  [p521, p256, p384, x25519, rsa] = await Promise.all([
    generateJweKeyPair('P-521'),
    generateJweKeyPair('P-256'),
    generateJweKeyPair('P-384'),
    generateJweKeyPair('X25519'),
    generateJweKeyPair('RSA'),
  ]);
});

/** The body of a refusal, exactly: the registry's code and message, nothing of the token. */
function expectRefusal(response: { status: number; json(): unknown }, status: number, code: ErrorCode) {
  expect(response.status).toBe(status);
  expect(response.json()).toEqual({ error: { code, message: errorRegistry[code].message } });
}

async function postJose(app: App, token: string, path = '/api/transfer') {
  const method = path === '/api/echo' ? 'PUT' : 'POST';
  return await send(`${app.url}${path}`, { method, headers: jose, body: token });
}

/** node-jose exactly as seed 004's createJWEToken, with the options given (none in the seed). */
async function nodeJoseToken(publicPem: string, payload: unknown, options: object = {}): Promise<string> {
  const key = await nodeJose.JWK.createKeyStore().add(publicPem, 'pem');
  return await nodeJose.JWE.createEncrypt({ format: 'compact', ...options }, key)
    .update(JSON.stringify(payload))
    .final();
}

/** A transport that records what went on the wire and can rewrite answers. */
function recorder() {
  const sent: { url: string; init: RequestInit }[] = [];
  let rewrite: ((response: Response, init: RequestInit) => Promise<Response>) | undefined;
  const transport = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    sent.push({ url: String(input), init });
    const response = await fetch(input, init);
    return rewrite === undefined ? response : await rewrite(response, init);
  };
  return {
    sent,
    transport,
    set rewrite(fn: ((response: Response, init: RequestInit) => Promise<Response>) | undefined) {
      rewrite = fn;
    },
  };
}

describe('options', () => {
  it('refuses dir, PBES2, RSA1_5 and symmetric key wraps, unknown algorithms and unknown options', async () => {
    const keys = await JweKeySet.from([{ privateKey: p256.privateKey }]);
    for (const alg of ['dir', 'PBES2-HS256+A128KW', 'RSA1_5', 'A128KW', 'A256GCMKW', 'none'])
      expect(() => jwe({ keys, keyManagementAlgorithms: [alg] })).toThrow(
        expect.objectContaining({ code: 'ERR_CONFIG' }),
      );
    for (const bad of [[], 'A256GCM', ['A256GCM', 'nope']])
      expect(() => jwe({ keys, contentEncryptionAlgorithms: bad as never })).toThrow(
        expect.objectContaining({ code: 'ERR_CONFIG' }),
      );
    const wrong = [
      { keys: 'pem' },
      { keys, mode: 'lenient' },
      { keys, jsonField: 'not a name' },
      { keys, jwksPath: 'relative' },
      { keys, maxBodyBytes: 0 },
      { keys, store: {} },
      { keys, typo: 1 },
    ];
    for (const options of wrong)
      expect(() => jwe(options as never)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
    // the defaults and an explicit subset are accepted
    expect(jwe({ keys, keyManagementAlgorithms: ['ECDH-ES'], jsonField: false, jwksPath: false }).name).toBe(
      'jwe',
    );
  });

  it('a key set refuses what is not a private key of an accepted kind, and duplicate kids', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const ed = generateKeyPairSync('ed25519');
    for (const inputs of [
      [],
      [{ privateKey: 'not a pem' }],
      [{ privateKey: p256.publicKey }],
      [{ privateKey: small.privateKey }],
      [{ privateKey: ed.privateKey }],
      [{ privateKey: p256.privateKey, kid: '' }],
      [{ privateKey: p256.privateKey, notAfter: 1.5 }],
      [{ privateKey: p256.privateKey }, { privateKey: p256.privateJwk }],
    ])
      await expect(JweKeySet.from(inputs as never)).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    const set = await JweKeySet.from([
      { privateKey: p256.privateJwk },
      { privateKey: createPrivateKey(p384.privateKey) },
    ]);
    expect(set.keys.map((k) => k.kid)).toEqual([p256.kid, p384.kid]);
    await expect(generateJweKeyPair('P-192' as never)).rejects.toMatchObject({ code: 'ERR_CONFIG' });
  });
});

describe.each(ADAPTERS)('%s', (adapter) => {
  let app: App;
  const logger = new CapturingLogger();
  beforeAll(async () => {
    const keys = await JweKeySet.from([
      { privateKey: p521.privateKey },
      { privateKey: p256.privateKey },
      { privateKey: p384.privateJwk },
      { privateKey: x25519.privateKey },
      { privateKey: rsa.privateKey },
    ]);
    app = await startApp(adapter, {
      profile: () => jwe({ keys, maxBodyBytes: 4096, logger }) as never,
      logger,
    });
  });
  afterAll(() => app.close());

  it("seed 004's createJWEToken (node-jose, P-521, A128CBC-HS256): the handler gets the payload", async () => {
    const token = (await jweService.createJWEToken(transfer, p521.publicKey)) as string;
    const response = await postJose(app, token);
    expect(response.status).toBe(201);
    expect(response.json()).toEqual({ ok: true, ...transfer });
    expect(app.seen.at(-1)?.body).toEqual(transfer);
    expect(app.seen.at(-1)?.profile).toMatchObject({
      profile: 'jwe',
      sealsResponse: false,
      details: { kid: p521.kid, alg: 'ECDH-ES', enc: 'A128CBC-HS256' },
    });
  });

  it.each([
    ['P-521', 'ECDH-ES'],
    ['P-256', 'ECDH-ES'],
    ['P-384', 'ECDH-ES'],
    ['X25519', 'ECDH-ES'],
    ['P-256', 'ECDH-ES+A256KW'],
    ['X25519', 'ECDH-ES+A256KW'],
    ['RSA', 'RSA-OAEP-256'],
  ] as const)(
    'our client to a %s key with %s: sealed both ways (RSA: answers in the clear)',
    async (kind, alg) => {
      const key = { 'P-521': p521, 'P-256': p256, 'P-384': p384, X25519: x25519, RSA: rsa }[kind];
      const wire = recorder();
      const api = createJweClient({
        baseUrl: app.url,
        serverKey: key.publicJwk,
        ...(alg === 'ECDH-ES+A256KW' ? { alg } : {}),
        fetch: wire.transport,
      });
      const response = await api('/api/transfer', {
        method: 'POST',
        headers: json,
        body: JSON.stringify(transfer),
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ ok: true, ...transfer });
      expect(app.seen.at(-1)?.profile?.details).toEqual({ kid: key.kid, alg, enc: 'A256GCM' });
      const sent = String(wire.sent.at(-1)?.init.body);
      expect(sent).not.toContain('DE89');
      expect(decodeProtectedHeader(sent)).toMatchObject({ alg, enc: 'A256GCM', kid: key.kid });
      expect(app.seen.at(-1)?.profile?.sealsResponse).toBe(kind !== 'RSA');
    },
  );

  it('sealed answers: application/jose on the wire, from the key the request was sealed to; GET too', async () => {
    const wire = recorder();
    let raw = '';
    wire.rewrite = async (response) => {
      raw = await response.text();
      return new Response(raw, { status: response.status, headers: response.headers });
    };
    const api = createJweClient({ baseUrl: app.url, serverKey: p256.publicKey, fetch: wire.transport });
    const got = await api('/api/payment-details');
    expect(await got.json()).toEqual(CARD);
    expect(got.headers.get('content-type')).toMatch(/^application\/json/);
    const get = wire.sent.at(-1) as { init: RequestInit };
    expect(get.init.body).toBeUndefined();
    const headerToken = new Headers(get.init.headers).get('cipherlayer-jwe') as string;
    expect(decodeProtectedHeader(headerToken).rjwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(raw).not.toContain('4242');
    const answer = decodeProtectedHeader(raw);
    expect(answer).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM', kid: p256.kid, status: 200 });
    expect((answer.epk as JWK).x).toBe(p256.publicJwk.x);
    wire.rewrite = undefined;
    // a text answer keeps its media type; an empty one goes as it is
    expect(await (await api('/api/text')).text()).toBe('hello in the clear');
    expect((await api('/api/empty')).status).toBe(204);
    const put = await api('/api/echo', { method: 'PUT', headers: json, body: '{"n":[1,2]}' });
    expect(await put.json()).toEqual({ body: { n: [1, 2] } });
  });

  it('an answer sealed by anyone but the server, or given another status, does not open', async () => {
    const wire = recorder();
    const api = createJweClient({ baseUrl: app.url, serverKey: x25519.publicJwk, fetch: wire.transport });
    // someone on the path answers to the rjwk in the request, with an ephemeral key of their own
    wire.rewrite = async (response, init) => {
      const rjwk = decodeProtectedHeader(String(init.body)).rjwk as JWK;
      const forged = await new CompactEncrypt(encoder.encode('{"ok":true,"to":"attacker"}'))
        .setProtectedHeader({
          alg: 'ECDH-ES',
          enc: 'A256GCM',
          status: response.status,
          cty: 'application/json',
        })
        .encrypt(await importJWK(rjwk, 'ECDH-ES'));
      return new Response(forged, { status: response.status, headers: response.headers });
    };
    const body = { method: 'POST', headers: json, body: JSON.stringify(transfer) };
    await expect(api('/api/transfer', body)).rejects.toMatchObject({ code: 'ERR_DECRYPT' });
    wire.rewrite = async (response) =>
      new Response(await response.text(), { status: 200, headers: response.headers });
    await expect(api('/api/transfer', body)).rejects.toMatchObject({ code: 'ERR_DECRYPT' });
    // a plaintext substitute for a sealed answer is refused, never handed on
    wire.rewrite = async () => new Response('{"ok":true}', { status: 201, headers: json });
    await expect(api('/api/transfer', body)).rejects.toMatchObject({ code: 'ERR_PLAINTEXT_REJECTED' });
  });

  it('every failure is 422 with the generic body', async () => {
    const good = (await jweService.createJWEToken(transfer, p521.publicKey)) as string;
    const parts = good.split('.');
    const flip = (segment: string) => {
      const bytes = Buffer.from(segment, 'base64url');
      bytes.writeUInt8(bytes.readUInt8(0) ^ 1, 0);
      return bytes.toString('base64url');
    };
    const before = app.seen.length;
    const tag = [parts[0], parts[1], parts[2], parts[3], flip(parts[4] as string)].join('.');
    const ciphertext = [parts[0], parts[1], parts[2], flip(parts[3] as string), parts[4]].join('.');
    expectRefusal(await postJose(app, tag), 422, 'ERR_DECRYPT');
    expectRefusal(await postJose(app, ciphertext), 422, 'ERR_DECRYPT');
    expectRefusal(await postJose(app, 'not a jwe'), 422, 'ERR_MALFORMED');
    expectRefusal(
      await postJose(app, `${Buffer.from('[1]').toString('base64url')}.a.b.c.d`),
      422,
      'ERR_MALFORMED',
    );
    expectRefusal(await postJose(app, good.split('.').slice(0, 4).join('.')), 422, 'ERR_MALFORMED');
    // a key of ours by kid, but not the one the token was sealed to
    const header = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString());
    const otherKid = Buffer.from(JSON.stringify({ ...header, kid: p256.kid })).toString('base64url');
    expectRefusal(await postJose(app, [otherKid, ...parts.slice(1)].join('.')), 422, 'ERR_UNKNOWN_KEY');
    // a plaintext body on a route that requires the profile: 422 too, as the seed answers
    const plain = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(transfer),
    });
    expectRefusal(plain, 422, 'ERR_PLAINTEXT_REJECTED');
    // { jwe } bodies: the same; another member beside it makes it plaintext
    expectRefusal(
      await send(`${app.url}/api/transfer`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ jwe: good, to: 'x' }),
      }),
      422,
      'ERR_PLAINTEXT_REJECTED',
    );
    expect(app.seen.length).toBe(before);
    expect(
      (
        await send(`${app.url}/api/transfer`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ jwe: good }),
        })
      ).status,
    ).toBe(201);
  });

  it('the allowlist: dir, PBES2 and RSA1_5 JWEs are refused before any key is used; so are other enc, crit', async () => {
    const before = app.seen.length;
    const payload = encoder.encode(JSON.stringify(transfer));
    const dir = await new CompactEncrypt(payload)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(randomBytes(32));
    const pbes2 = await new CompactEncrypt(payload)
      .setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A128CBC-HS256' })
      .encrypt(encoder.encode('correct horse battery staple'));
    const rsa15 = await nodeJoseToken(rsa.publicKey, transfer, { fields: { alg: 'RSA1_5' } });
    expect(decodeProtectedHeader(rsa15).alg).toBe('RSA1_5');
    // a key management the profile allows, but not by default: RSA-OAEP (SHA-1)
    const oaep1 = await new CompactEncrypt(payload)
      .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256GCM' })
      .encrypt(createPublicKey(rsa.publicKey));
    const a128gcm = await new CompactEncrypt(payload)
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A128GCM' })
      .encrypt(createPublicKey(p256.publicKey));
    // jose will not write a crit it does not know: the header is swapped in (refused before any crypto)
    const good = await new CompactEncrypt(payload)
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM' })
      .encrypt(createPublicKey(p256.publicKey));
    const critHeader = Buffer.from(
      JSON.stringify({ ...decodeProtectedHeader(good), crit: ['exp'], exp: 1 }),
    ).toString('base64url');
    const crit = [critHeader, ...good.split('.').slice(1)].join('.');
    for (const token of [dir, pbes2, rsa15, oaep1, a128gcm, crit])
      expectRefusal(await postJose(app, token), 422, 'ERR_SUITE_NOT_ALLOWED');
    expect(app.seen.length).toBe(before);
  });

  it('zip: a DEF-compressed JWE is refused, however small it is on the wire', async () => {
    // 1 MiB of zeros deflates to about a kilobyte: a decompression bomb for a server that inflates
    const bomb = await nodeJoseToken(p521.publicKey, { pad: '0'.repeat(1024 * 1024) }, { zip: true });
    expect(decodeProtectedHeader(bomb).zip).toBe('DEF');
    expect(bomb.length).toBeLessThan(8 * 1024);
    expectRefusal(await postJose(app, bomb), 422, 'ERR_SUITE_NOT_ALLOWED');
    const small = await nodeJoseToken(p521.publicKey, transfer, { zip: true });
    expectRefusal(await postJose(app, small), 422, 'ERR_SUITE_NOT_ALLOWED');
  });

  it('size: a plaintext over maxBodyBytes is 413 before any key work, and on the wire before reading it', async () => {
    const before = app.seen.length;
    const big = (await jweService.createJWEToken({ pad: 'x'.repeat(5000) }, p521.publicKey)) as string;
    expect(big.length).toBeLessThan(Math.ceil((4096 * 4) / 3) + 16 * 1024); // within the wire limit
    expectRefusal(await postJose(app, big), 413, 'ERR_TOO_LARGE');
    const huge = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: jose,
      body: 'a'.repeat(64 * 1024),
    });
    expect(huge.status).toBe(413);
    const api = createJweClient({ baseUrl: app.url, serverKey: p256.publicJwk });
    await expect(
      api('/api/echo', { method: 'PUT', headers: json, body: JSON.stringify({ pad: 'y'.repeat(4200) }) }),
    ).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
    expect(app.seen.length).toBe(before);
    // just under the limit goes through
    const fits = await api('/api/echo', {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ pad: 'y'.repeat(4000) }),
    });
    expect(fits.status).toBe(200);
  });

  it('a response key that is private, of another curve, or with the RSA key, is refused', async () => {
    const { privateKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const p384Pair = await generateKeyPair('ECDH-ES', { crv: 'P-384', extractable: true });
    const seal = async (server: GeneratedJweKey, alg: string, rjwk: unknown) =>
      await new CompactEncrypt(encoder.encode('{}'))
        .setProtectedHeader({ alg, enc: 'A256GCM', kid: server.kid, rjwk } as never)
        .encrypt(createPublicKey(server.publicKey));
    for (const token of [
      await seal(p256, 'ECDH-ES', privateJwk),
      await seal(p256, 'ECDH-ES', await exportJWK(p384Pair.publicKey)),
      await seal(p256, 'ECDH-ES', 'a string'),
      await seal(p256, 'ECDH-ES', { kty: 'OKP', crv: 'X25519', x: 'AA', y: 'AA' }),
      await seal(rsa, 'RSA-OAEP-256', { kty: 'EC', crv: 'P-256', x: privateJwk.x, y: privateJwk.y }),
    ])
      expectRefusal(await postJose(app, token, '/api/echo'), 422, 'ERR_MALFORMED');
  });

  it('optional route: plaintext passes in the clear, a JWE is opened; a route listing cl1 and jwe opens jwe', async () => {
    const plain = await send(`${app.url}/api/public`, { method: 'POST', headers: json, body: '{"a":1}' });
    expect(plain.json()).toEqual({ body: { a: 1 }, sealed: false });
    const api = createJweClient({ baseUrl: app.url, serverKey: p384.publicJwk });
    expect(
      await (await api('/api/public', { method: 'POST', headers: json, body: '{"a":2}' })).json(),
    ).toEqual({
      body: { a: 2 },
      sealed: true,
    });
    expect(await (await api('/api/both', { method: 'POST', headers: json, body: '{"n":1}' })).json()).toEqual(
      {
        body: { n: 1 },
        via: 'jwe',
      },
    );
  });

  it('serves its public keys as a JWK Set, never a private member', async () => {
    const response = await send(`${app.url}/.well-known/cipherlayer/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
    const set = response.json() as { keys: JWK[] };
    expect(set.keys.map((k) => k.kid)).toEqual([p521.kid, p256.kid, p384.kid, x25519.kid, rsa.kid]);
    for (const key of set.keys) expect(Object.keys(key)).not.toContain('d');
    expect(response.text).not.toContain(String(rsa.privateJwk.p));
  });

  it('logs codes only: never a token, key or value', () => {
    expect(logger.codes()).toEqual(
      expect.arrayContaining(['ERR_DECRYPT', 'ERR_MALFORMED', 'ERR_SUITE_NOT_ALLOWED', 'ERR_TOO_LARGE']),
    );
    for (const secret of [
      'DE89',
      'eyJ',
      'PRIVATE KEY',
      '4242',
      p521.privateJwk.d,
      p256.privateJwk.d,
      x25519.privateJwk.d,
    ])
      expect(logger.text).not.toContain(secret);
  });
});

describe.each(ADAPTERS)('%s: kid selection across a rotation', (adapter) => {
  let app: App;
  let current: JweKeySet;
  let oldKey: GeneratedJweKey;
  let newKey: GeneratedJweKey;
  const clock = new Clock();
  beforeAll(async () => {
    [oldKey, newKey] = await Promise.all([generateJweKeyPair(), generateJweKeyPair()]);
    current = await JweKeySet.from([{ privateKey: oldKey.privateKey }]);
    app = await startApp(adapter, { profile: () => jwe({ keys: () => current, clock: clock.now }) as never });
  });
  afterAll(() => app.close());

  it('old and new keys open by kid during the overlap; after notAfter the old one opens nothing', async () => {
    const wire = recorder();
    // our client finds the key in the published set
    const api = createJweClient({ baseUrl: app.url, fetch: wire.transport });
    const call = () => api('/api/echo', { method: 'PUT', headers: json, body: '{"r":1}' });
    expect((await call()).status).toBe(200);
    expect(app.seen.at(-1)?.profile?.details.kid).toBe(oldKey.kid);

    current = await JweKeySet.from([
      { privateKey: newKey.privateKey },
      { privateKey: oldKey.privateKey, notAfter: clock.now() + 60_000 },
    ]);
    const jwks = (await send(`${app.url}/.well-known/cipherlayer/jwks.json`)).json() as { keys: JWK[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([newKey.kid, oldKey.kid]);
    // node-jose names the key by its thumbprint: each token finds its own key
    for (const key of [oldKey, newKey]) {
      const token = (await jweService.createJWEToken(transfer, key.publicKey)) as string;
      expect((await postJose(app, token)).status).toBe(201);
      expect(app.seen.at(-1)?.profile?.details.kid).toBe(key.kid);
    }
    // without kid: the current key of that curve
    const noKid = async (key: GeneratedJweKey) =>
      await new CompactEncrypt(encoder.encode('{}'))
        .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM' })
        .encrypt(createPublicKey(key.publicKey));
    expect((await postJose(app, await noKid(newKey), '/api/echo')).status).toBe(200);
    expectRefusal(await postJose(app, await noKid(oldKey), '/api/echo'), 422, 'ERR_DECRYPT');
    // the old client still seals to the old key, which still opens
    expect((await call()).status).toBe(200);

    clock.offset += 61_000;
    const late = (await jweService.createJWEToken(transfer, oldKey.publicKey)) as string;
    expectRefusal(await postJose(app, late), 422, 'ERR_UNKNOWN_KEY');
    const after = (await send(`${app.url}/.well-known/cipherlayer/jwks.json`)).json() as { keys: JWK[] };
    expect(after.keys.map((k) => k.kid)).toEqual([newKey.kid]);
    // the client is refused with ERR_UNKNOWN_KEY, fetches the set again and sends again, once; the handler runs once
    const before = app.seen.length;
    expect(await (await call()).json()).toEqual({ body: { r: 1 } });
    expect(app.seen.length).toBe(before + 1);
    expect(app.seen.at(-1)?.profile?.details.kid).toBe(newKey.kid);
    expect(wire.sent.filter((s) => s.url.endsWith('jwks.json'))).toHaveLength(2);
  });
});

describe.each(ADAPTERS)('%s: strict mode', (adapter) => {
  let app: App;
  const clock = new Clock();
  beforeAll(async () => {
    const keys = await JweKeySet.from([{ privateKey: p256.privateKey }]);
    app = await startApp(adapter, {
      profile: () => jwe({ keys, mode: 'strict', clock: clock.now, maxSkewMs: 10_000 }) as never,
    });
  });
  afterAll(() => app.close());

  it('iat, jti, htm, htu and a response key are required; each request opens once, for its route, in its time', async () => {
    const wire = recorder();
    const api = createJweClient({
      baseUrl: app.url,
      serverKey: p256.publicJwk,
      mode: 'strict',
      clock: clock.now,
      fetch: wire.transport,
    });
    const put = await api('/api/echo', { method: 'PUT', headers: json, body: '{"s":1}' });
    expect(await put.json()).toEqual({ body: { s: 1 } });
    const last = wire.sent.at(-1) as { url: string; init: RequestInit };
    const token = String(last.init.body);
    expect(decodeProtectedHeader(token)).toMatchObject({ htm: 'PUT', htu: '/api/echo' });
    // the same message again
    const replay = await send(last.url, {
      method: 'PUT',
      headers: headerObject(last.init.headers),
      body: token,
    });
    expectRefusal(replay, 409, 'ERR_REPLAY');
    // moved to another route
    const fresh = await api('/api/echo', { method: 'PUT', headers: json, body: '{"to":"x","amount":1}' });
    expect(fresh.status).toBe(200);
    const moved = await postJose(app, String(wire.sent.at(-1)?.init.body));
    expectRefusal(moved, 422, 'ERR_DECRYPT');
    // GET carries its JWE in a header, bound the same way
    expect(await (await api('/api/payment-details')).json()).toEqual(CARD);
    // a token as seed 004's client writes it: no iat, jti or response key
    const seed = await new CompactEncrypt(encoder.encode(JSON.stringify(transfer)))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A128CBC-HS256', kid: p256.kid })
      .encrypt(createPublicKey(p256.publicKey));
    expectRefusal(await postJose(app, seed), 422, 'ERR_MALFORMED');
    // a client whose clock is off by more than maxSkewMs
    const skewed = createJweClient({
      baseUrl: app.url,
      serverKey: p256.publicJwk,
      mode: 'strict',
      clock: () => clock.now() - 20_000,
    });
    await expect(skewed('/api/echo', { method: 'PUT', headers: json, body: '{}' })).rejects.toMatchObject({
      code: 'ERR_STALE',
    });
  });
});
