import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK } from './helpers/run-cli.js';
import {
  profileJwe,
  profileRsaSessionRequest,
  profileStaticKeyEnvelope,
  type RsaSessionMaterial,
  rsaSessionKeys,
  seedJwe,
  seedRsaSessionRequest,
  seedRsaSessionResponse,
  seedStaticKeyEnvelope,
} from './helpers/seed-envelopes.js';

const PAYLOAD = { to: 'DE89 3704 0044 0532 0130 00', amount: 125.5 };
const TEXT = JSON.stringify(PAYLOAD);
const CANNOT = /cannot decrypt with this key: another key than the message was sealed with/;
const WARNING = /^warning: decrypting with a private key, for debugging only/;

let dir: string;
let rsa: RsaSessionMaterial;
let staticHex: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cl-cli-seed-keys-'));
  rsa = rsaSessionKeys();
  staticHex = randomBytes(32).toString('hex');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function secret(content: string | Uint8Array): string {
  const path = join(dir, `key-${n++}`);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}
function message(content: string): string {
  const path = join(dir, `message-${n++}.json`);
  writeFileSync(path, content);
  return path;
}

/** A failure of the user's key or message: its exit code, one line, no stack, nothing decrypted. */
function expectRefusal(run: Awaited<ReturnType<typeof runCli>>, code: number, why: RegExp): void {
  expect(run.stderr).toMatch(why);
  expect(run.code).toBe(code);
  expect(run.stderr).not.toMatch(STACK);
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toContain(TEXT);
}

describe('inspect --key on rsa-session (seed 001)', () => {
  it("opens a request made by the profile's client, with the warning, in JSON", async () => {
    const request = await profileRsaSessionRequest(rsa, PAYLOAD);
    const run = await runCli(['inspect', message(request), '--key', secret(rsa.privateKey), '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(WARNING);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      source: 'file',
      format: 'rsa-session',
      kind: 'request (seed 001)',
      openedWith: { key: 'RSA-2048', keyWrap: 'RSA-OAEP-SHA256', content: 'AES-256-GCM' },
      plaintext: { contentType: '', bytes: TEXT.length, text: TEXT },
    });
    expect(result.notes.join('\n')).not.toMatch(/nothing is decrypted/);
  });

  it("opens a request made by the seed's client snippet (OAEP with Node's default SHA-1), as the profile does", async () => {
    const run = await runCli([
      'inspect',
      seedRsaSessionRequest(rsa, PAYLOAD),
      '--key',
      secret(rsa.privateKey),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^rsa-session: request \(seed 001\)/);
    expect(run.stdout).toMatch(/plaintext \(no content type, \d+ bytes, RSA-2048, RSA-OAEP-SHA1/);
    expect(run.stdout).toContain(TEXT);
  });

  it("opens a response made by the seed's server with --aes-key, and refuses --key for it", async () => {
    const { response, aesKey } = await seedRsaSessionResponse();
    for (const encoding of ['hex', 'base64'] as const) {
      const run = await runCli([
        'inspect',
        response,
        '--aes-key',
        secret(aesKey.toString(encoding)),
        '--json',
      ]);
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result).toMatchObject({ kind: 'response (seed 001)', openedWith: { key: 'AES-256' } });
      expect(JSON.parse(result.plaintext.text)).toMatchObject({
        publicKey: expect.stringContaining('PUBLIC KEY'),
      });
    }
    const raw = await runCli(['inspect', response, '--aes-key', secret(aesKey)]);
    expect(raw.code).toBe(0);
    const withKey = await runCli(['inspect', response, '--key', secret(aesKey.toString('hex'))]);
    expectRefusal(withKey, 2, /an rsa-session response is sealed with the AES key of the request it answers/);
    expect(withKey.stderr).not.toMatch(WARNING);
    const other = await runCli(['inspect', response, '--aes-key', secret(randomBytes(32).toString('hex'))]);
    expectRefusal(other, 1, CANNOT);
  });

  it('fails with the one generic error for another RSA key, a truncated envelope and a cut field', async () => {
    const request = seedRsaSessionRequest(rsa, PAYLOAD);
    const other = rsaSessionKeys();
    expectRefusal(await runCli(['inspect', request, '--key', secret(other.privateKey)]), 1, CANNOT);
    const fields = JSON.parse(request) as Record<string, string>;
    const cutData = JSON.stringify({
      ...fields,
      encryptedData: (fields.encryptedData as string).slice(0, 8),
    });
    expectRefusal(await runCli(['inspect', cutData, '--key', secret(rsa.privateKey)]), 1, CANNOT);
    const cutTag = JSON.stringify({ ...fields, authTag: (fields.authTag as string).slice(0, 12) });
    expectRefusal(await runCli(['inspect', cutTag, '--key', secret(rsa.privateKey)]), 1, CANNOT);
    const cutKey = JSON.stringify({
      ...fields,
      encryptedAesKey: (fields.encryptedAesKey as string).slice(0, 100),
    });
    expectRefusal(await runCli(['inspect', cutKey, '--key', secret(rsa.privateKey)]), 1, CANNOT);
    // Cut in the middle of the JSON text: not an envelope any more.
    expectRefusal(
      await runCli(['inspect', message(request.slice(0, 200)), '--key', secret(rsa.privateKey)]),
      3,
      /starts like JSON but is not JSON/,
    );
  });

  it('refuses keys of the wrong kind with exit 3, saying what is needed', async () => {
    const request = seedRsaSessionRequest(rsa, PAYLOAD);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const [key, holds] of [
      [staticHex, /holds an AES-256 key \(hex\)/],
      [ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, /holds an EC P-256 private key/],
      [JSON.stringify({ keys: [{ kty: 'OKP', d: 'x', hpke: {} }] }), /holds a cl1 key set/],
      [rsa.publicKey, /holds a public key/],
    ] as const) {
      const run = await runCli(['inspect', request, '--key', secret(key)]);
      expectRefusal(run, 3, holds);
      expect(run.stderr).toMatch(/an rsa-session request opens with the session's RSA private key/);
    }
  });
});

describe('inspect --key on static-key (seed 002)', () => {
  it("opens {data} sealed by the profile's code and by the seed's encrypt(), with hex, base64 and raw keys", async () => {
    const key = Buffer.from(staticHex, 'hex');
    for (const envelope of [
      await profileStaticKeyEnvelope(staticHex, PAYLOAD),
      seedStaticKeyEnvelope(staticHex, PAYLOAD),
    ])
      for (const keyFile of [`${staticHex}\n`, key.toString('base64'), key]) {
        const run = await runCli(['inspect', envelope, '--key', secret(keyFile), '--json']);
        expect(run.code).toBe(0);
        expect(run.stderr).toMatch(WARNING);
        expect(JSON.parse(run.stdout)).toMatchObject({
          format: 'static-key',
          openedWith: { key: 'AES-256', content: 'AES-256-GCM' },
          plaintext: { bytes: TEXT.length, text: TEXT },
        });
      }
    const human = await runCli(['inspect', '-', '--key', secret(staticHex)], {
      input: seedStaticKeyEnvelope(staticHex, PAYLOAD),
    });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/plaintext \(no content type, \d+ bytes, AES-256, AES-256-GCM\):\n\{"to"/);
  });

  it('fails generically for another key and a truncated envelope; refuses a private key with exit 3', async () => {
    const envelope = seedStaticKeyEnvelope(staticHex, PAYLOAD);
    expectRefusal(
      await runCli(['inspect', envelope, '--key', secret(randomBytes(32).toString('hex'))]),
      1,
      CANNOT,
    );
    const data = Buffer.from((JSON.parse(envelope) as { data: string }).data, 'base64');
    const truncated = JSON.stringify({ data: data.subarray(0, data.length - 5).toString('base64') });
    expectRefusal(await runCli(['inspect', truncated, '--key', secret(staticHex)]), 1, CANNOT);
    const tooShort = JSON.stringify({ data: data.subarray(0, 20).toString('base64') });
    expectRefusal(
      await runCli(['inspect', tooShort, '--key', secret(staticHex)]),
      3,
      /not a cl1 message or a seed-profile envelope \(members: data\)/,
    );
    expectRefusal(
      await runCli(['inspect', envelope, '--key', secret(rsa.privateKey)]),
      3,
      /holds an RSA-2048 private key; a static-key envelope opens with the AES-256 key/,
    );
    expectRefusal(
      await runCli(['inspect', envelope, '--key', secret('0123abcd')]),
      3,
      /is not a key: expected an AES-256 key/,
    );
  });

  it('refuses a key file other users can read, and --aes-key for a static-key envelope', async () => {
    const envelope = seedStaticKeyEnvelope(staticHex, PAYLOAD);
    const open = secret(staticHex);
    chmodSync(open, 0o644);
    expectRefusal(await runCli(['inspect', envelope, '--key', open]), 3, /accessible by other users/);
    expectRefusal(
      await runCli(['inspect', envelope, '--aes-key', secret(staticHex)]),
      2,
      /--aes-key opens rsa-session responses; this static-key envelope opens with --key/,
    );
    expectRefusal(
      await runCli(['inspect', envelope, '--key', secret(staticHex), '--method', 'POST']),
      2,
      /--method and --target are for cl1 requests/,
    );
  });
});

describe('inspect --key on JWE (seed 004)', () => {
  it("opens the profile client's JWE on P-521 (PEM and JWK keys) and RSA-OAEP-256", async () => {
    const p521 = await profileJwe('P-521', PAYLOAD);
    for (const keyText of [p521.key.privateKey, JSON.stringify(p521.key.privateJwk)]) {
      const run = await runCli(['inspect', p521.token, '--key', secret(keyText), '--json']);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(WARNING);
      expect(JSON.parse(run.stdout)).toMatchObject({
        format: 'jwe',
        header: { alg: 'ECDH-ES', enc: 'A256GCM', kid: p521.key.kid, epk: { crv: 'P-521' } },
        openedWith: { key: 'EC P-521', kid: p521.key.kid, alg: 'ECDH-ES', enc: 'A256GCM' },
        plaintext: { contentType: 'application/json', text: TEXT },
      });
    }
    const rsaJwe = await profileJwe('RSA', PAYLOAD);
    const run = await runCli(['inspect', rsaJwe.token, '--key', secret(rsaJwe.key.privateKey)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /plaintext \(application\/json, \d+ bytes, RSA-3072, [\w-]+, RSA-OAEP-256, A256GCM\)/,
    );
    expect(run.stdout).toContain(TEXT);
  });

  it("opens the seed's own createJWEToken output (node-jose, A128CBC-HS256) with the seed's PEM key", async () => {
    const seed = await seedJwe(PAYLOAD);
    const run = await runCli(['inspect', seed.token, '--key', secret(seed.privateKey), '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      header: { alg: 'ECDH-ES', enc: 'A128CBC-HS256' },
      plaintext: { text: TEXT },
    });
  });

  it('fails generically for another key of the right kind and for a truncated token', async () => {
    const { key, token } = await profileJwe('P-521', PAYLOAD);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const otherPem = other.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expectRefusal(await runCli(['inspect', token, '--key', secret(otherPem)]), 1, CANNOT);
    const right = secret(key.privateKey);
    const cutTag = token.slice(0, token.length - 6);
    expectRefusal(await runCli(['inspect', cutTag, '--key', right]), 1, CANNOT);
    const parts = token.split('.');
    const cutCiphertext = [...parts.slice(0, 3), (parts[3] as string).slice(0, 4), parts[4]].join('.');
    expectRefusal(await runCli(['inspect', cutCiphertext, '--key', right]), 1, CANNOT);
    expect((await runCli(['inspect', token, '--key', right])).code).toBe(0);
  });

  it('refuses keys of the wrong kind or curve with exit 3, and algorithms the profile never accepts', async () => {
    const { token } = await profileJwe('P-521', PAYLOAD);
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    for (const [key, holds] of [
      [
        rsa.privateKey,
        /holds an RSA-2048 private key; this JWE \(ECDH-ES\) opens with an ECDH P-521 private key/,
      ],
      [p256, /holds an EC P-256 private key; this JWE \(ECDH-ES\) opens with an ECDH P-521/],
      [staticHex, /holds an AES-256 key \(hex\); this JWE/],
    ] as const)
      expectRefusal(await runCli(['inspect', token, '--key', secret(key)]), 3, holds);
    const dir = `${Buffer.from('{"alg":"dir","enc":"A256GCM"}').toString('base64url')}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA`;
    expectRefusal(
      await runCli(['inspect', dir, '--key', secret(p256)]),
      3,
      /this JWE's alg "dir" is not one the jwe profile accepts/,
    );
  });
});
