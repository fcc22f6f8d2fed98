import { constants, createCipheriv, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactEncrypt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBase64Url, asJson, BINDING, type Messages, makeMessages } from './helpers/messages.js';
import { runCli, STACK } from './helpers/run-cli.js';

let dir: string;
let m: Messages;
let keyFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cl-cli-inspect-'));
  m = await makeMessages(7);
  keyFile = join(dir, 'keys.json');
  writeFileSync(keyFile, JSON.stringify(m.keySet.toPrivateDocument()), { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('inspect without a key', () => {
  it.each([
    ['request', 'request', 0x01],
    ['response', 'response', 0x02],
    ['handshake', 'handshake', 0x03],
    ['handshakeResponse', 'handshake-response', 0x04],
    ['session', 'session', 0x05],
    ['sessionResponse', 'session-response', 0x06],
  ] as const)('recognises a %s in binary, JSON and base64url', async (field, type, typeByte) => {
    const message = m[field];
    const binary = await runCli(['inspect', save(`${field}.bin`, message), '--json']);
    expect(binary.code).toBe(0);
    const described = JSON.parse(binary.stdout);
    expect(described).toMatchObject({ format: 'cl1', type, typeByte, encoding: 'binary', source: 'file' });
    expect(described.sizes.message).toBe(message.length);
    expect(described.sizes.plaintext).toBe(described.sizes.ciphertext - 16);

    const json = await runCli(['inspect', asJson(message), '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      type,
      encoding: 'json',
      source: 'argument',
      sizes: described.sizes,
    });
    const b64 = await runCli(['inspect', '-', '--json'], { input: asBase64Url(message) });
    expect(JSON.parse(b64.stdout)).toMatchObject({ type, encoding: 'base64url', source: 'stdin' });
  });

  it('shows the header fields of a request: key id, suite, timestamp, request id, content type, sizes', async () => {
    const run = await runCli(['inspect', save('req.bin', m.request)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^cl1 request \(type 0x01, client to server, binary\)/);
    expect(run.stdout).toMatch(/key id\s+7\n/);
    expect(run.stdout).toMatch(/suite\s+X25519 \/ HKDF-SHA256 \/ AES-256-GCM/);
    expect(run.stdout).toMatch(/timestamp\s+\d{4}-\d\d-\d\dT.*Z \(\d+, \d+ s ago\)/);
    expect(run.stdout).toMatch(/request id\s+[0-9a-f]{32}/);
    expect(run.stdout).toMatch(/content type\s+application\/json/);
    expect(run.stdout).toContain(`plaintext ${m.requestBody.length}`);
    expect(run.stdout).not.toContain(m.requestBody);
    expect(run.stdout.includes('\u001b[')).toBe(false); // no colours into a pipe
  });

  it('shows session id and counter of session messages', async () => {
    const described = JSON.parse((await runCli(['inspect', save('s.bin', m.session), '--json'])).stdout);
    expect(described).toMatchObject({ counter: 0, contentType: '', sealedWith: 'the session c2s key' });
    expect(described.sessionId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('recognises the seed profiles’ envelopes by structure', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const aesKey = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
    const data = Buffer.concat([cipher.update('{"a":1}'), cipher.final()]);
    const rsaRequest = {
      encryptedAesKey: publicEncrypt(
        { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        aesKey,
      ).toString('base64'),
      encryptedData: data.toString('base64'),
      iv: iv.toString('base64'),
      authTag: cipher.getAuthTag().toString('base64'),
    };
    const rsa = JSON.parse((await runCli(['inspect', JSON.stringify(rsaRequest), '--json'])).stdout);
    expect(rsa).toMatchObject({
      format: 'rsa-session',
      kind: 'request (seed 001)',
      parts: { encryptedAesKey: 256, iv: 12, authTag: 16, encryptedData: 7 },
    });
    expect(rsa.notes[0]).toContain('RSA-2048');
    const { encryptedAesKey: _, ...response } = rsaRequest;
    expect(JSON.parse((await runCli(['inspect', JSON.stringify(response), '--json'])).stdout)).toMatchObject({
      format: 'rsa-session',
      kind: 'response (seed 001)',
    });

    const staticKey = { data: Buffer.concat([iv, randomBytes(16), data]).toString('base64') };
    expect(JSON.parse((await runCli(['inspect', JSON.stringify(staticKey), '--json'])).stdout)).toMatchObject(
      {
        format: 'static-key',
        parts: { iv: 12, tag: 16, ciphertext: 7 },
      },
    );

    const ec = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const jwe = await new CompactEncrypt(new TextEncoder().encode('{"amount":1}'))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', kid: 'server-1' })
      .encrypt(ec.publicKey);
    const human = await runCli(['inspect', jwe]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^jwe: JWE compact \(seed 004\)/);
    expect(human.stdout).toMatch(/header alg\s+ECDH-ES/);
    expect(human.stdout).toMatch(/header epk\s+\{"kty":"EC","crv":"P-521"\}/);
    const described = JSON.parse((await runCli(['inspect', jwe, '--json'])).stdout);
    expect(described).toMatchObject({
      format: 'jwe',
      parts: { encryptedKey: 0, iv: 12, ciphertext: 12, tag: 16 },
      header: { kid: 'server-1', enc: 'A256GCM' },
    });
  });

  it.each([
    ['plain text', 'hello world', /not a cl1 message or a seed-profile envelope: "hello world"/],
    [
      'unknown JSON',
      '{"user":"alice"}',
      /JSON, but not a cl1 message or a seed-profile envelope \(members: user\)/,
    ],
    ['broken JSON', '{"cl1": ', /starts like JSON but is not JSON/],
    [
      'a cl1 JSON message with a missing member',
      '{"cl1":"session","n":1,"cty":""}',
      /members must be exactly cl1, sid, n, cty, ct/,
    ],
    ['an unknown cl1 type', '{"cl1":"ping"}', /unknown cl1 type "ping"/],
    ['a missing file', './nope/message.bin', /cannot read message file .\/nope\/message.bin: no such file/],
  ])('refuses %s with exit 3 and one line', async (_name, input, message) => {
    const run = await runCli(['inspect', input]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(STACK);
  });

  it('refuses a truncated binary message', async () => {
    const run = await runCli(['inspect', save('cut.bin', m.request.subarray(0, 40))]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/malformed cl1 message \(type byte 0x01, 40 bytes\)/);
  });
});

describe('inspect --key', () => {
  it('decrypts a stateless request, with a warning on stderr', async () => {
    const run = await runCli([
      'inspect',
      save('r.bin', m.request),
      '--key',
      keyFile,
      '--method',
      BINDING.method,
      '--target',
      BINDING.target,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: decrypting with a private key, for debugging only/);
    expect(run.stdout).toContain(m.requestBody);
    const json = await runCli([
      'inspect',
      asJson(m.request),
      '--key',
      keyFile,
      '--method',
      'POST',
      '--target',
      BINDING.target,
      '--json',
    ]);
    expect(JSON.parse(json.stdout).plaintext).toMatchObject({
      contentType: 'application/json',
      text: m.requestBody,
      bytes: m.requestBody.length,
    });
  });

  it('fails with exit 1 for another target (the binding is authenticated)', async () => {
    const run = await runCli([
      'inspect',
      asJson(m.request),
      '--key',
      keyFile,
      '--method',
      'POST',
      '--target',
      '/api/other',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /decryption operation failed: another key, another --method or --target than sent/,
    );
    expect(run.stdout).toBe('');
  });

  it('explains why session messages and responses cannot be decrypted from a key file', async () => {
    for (const [message, why] of [
      [m.session, /session messages are sealed with session keys/],
      [m.sessionResponse, /session keys from the handshake/],
      [m.response, /request's HPKE context/],
    ] as const) {
      const run = await runCli([
        'inspect',
        asBase64Url(message),
        '--key',
        keyFile,
        '--method',
        'GET',
        '--target',
        '/',
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(why);
    }
  });

  it('needs --method and --target, and a private key file that is not world-readable', async () => {
    const noTarget = await runCli(['inspect', asJson(m.request), '--key', keyFile, '--method', 'POST']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toMatch(/--target is required: the binding is authenticated/);
    const open = join(dir, 'open-keys.json');
    writeFileSync(open, JSON.stringify(m.keySet.toPrivateDocument()));
    chmodSync(open, 0o644);
    const run = await runCli([
      'inspect',
      asJson(m.request),
      '--key',
      open,
      '--method',
      'POST',
      '--target',
      '/x',
    ]);
    expect(run.code).toBe(3);
    const other = join(dir, 'other.json');
    const generated = await runCli(['keys', 'generate', '--out', other, '--kid', '7']);
    expect(generated.code).toBe(0);
    const wrongKey = await runCli([
      'inspect',
      asJson(m.request),
      '--key',
      other,
      '--method',
      'POST',
      '--target',
      BINDING.target,
    ]);
    expect(wrongKey.code).toBe(1);
  });
});
