import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { countingBackend } from './helpers/counting-backend.js';
import { ADAPTERS, type Harness, startHarness, type WireResponse } from './helpers/harness.js';

const MAX_BODY = 1024;
const BINARY_LIMIT = MAX_BODY + 1024;

function errorCode(response: WireResponse): string {
  return JSON.parse(response.body.toString('utf8')).error.code;
}

/**
 * maxBodyBytes is enforced before anything is decrypted: on the declared
 * Content-Length before a byte is read, while the body streams in, on the
 * header's length; and on the way out, where an answer too large to seal
 * becomes a 500. The counting backend proves no cryptography ran.
 */
describe.each(ADAPTERS)('%s', (name) => {
  let harness: Harness;
  let client: TestClient;
  const crypto = countingBackend();
  beforeAll(async () => {
    harness = await startHarness(name, { maxBodyBytes: MAX_BODY, backend: crypto.backend });
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());
  beforeEach(() => crypto.reset());

  async function expectTooLarge(response: WireResponse, handled: number): Promise<void> {
    expect(response.status).toBe(413);
    expect(errorCode(response)).toBe('ERR_TOO_LARGE');
    expect(crypto.calls(), 'crypto ran on an oversized message').toBe(0);
    expect(harness.seen.length, 'the app ran').toBe(handled);
  }

  it('a declared Content-Length over the limit is refused before the body is sent at all', async () => {
    const handled = harness.seen.length;
    const response = await harness.stream(
      {
        method: 'POST',
        target: '/api/transfer',
        headers: { 'content-type': 'application/cipherlayer', 'content-length': String(BINARY_LIMIT + 1) },
        body: new Uint8Array(BINARY_LIMIT + 1),
      },
      { withholdBody: true },
    );
    await expectTooLarge(response, handled);
  });

  it('a streamed body is cut off once it passes the limit', async () => {
    const handled = harness.seen.length;
    const response = await harness.stream(
      {
        method: 'POST',
        target: '/api/transfer',
        headers: { 'content-type': 'application/cipherlayer' },
        body: new Uint8Array(64 * 1024).fill(0xc1),
      },
      { chunkSize: 512 },
    );
    await expectTooLarge(response, handled);
  });

  it('the JSON encoding has its own (larger) limit, checked the same way', async () => {
    const handled = harness.seen.length;
    const response = await harness.send({
      method: 'POST',
      target: '/api/transfer',
      headers: { 'content-type': 'application/cipherlayer+json' },
      body: `{"cl1":"request","ct":"${'A'.repeat(4000)}"}`,
    });
    await expectTooLarge(response, handled);
  });

  it('an oversized Cipherlayer header', async () => {
    const handled = harness.seen.length;
    const response = await harness.send({
      method: 'GET',
      target: '/api/balance',
      headers: { cipherlayer: 'A'.repeat(Math.ceil((BINARY_LIMIT * 4) / 3) + 4) },
    });
    await expectTooLarge(response, handled);
  });

  it('a plaintext of exactly maxBodyBytes goes through, in both encodings', async () => {
    for (const form of ['binary', 'json'] as const) {
      const padding = 'p'.repeat(MAX_BODY - JSON.stringify({ to: 'DE89', pad: '' }).length);
      const out = await client.call({
        method: 'POST',
        target: '/api/transfer',
        json: { to: 'DE89', pad: padding },
        form,
        session: false,
      });
      expect(out.status).toBe(201);
    }
  });

  it('an answer larger than maxBodyBytes is not sent: 500 in the clear, without the plaintext', async () => {
    const built = await client.build({
      method: 'GET',
      target: `/api/large?bytes=${MAX_BODY + 1}`,
      session: false,
    });
    const response = await harness.send(built.request);
    expect(response.status).toBe(500);
    expect(errorCode(response)).toBe('ERR_INTERNAL');
    expect(response.body.toString('latin1')).not.toContain('xxxx');
    const fits = await client.call({ method: 'GET', target: `/api/large?bytes=${MAX_BODY}`, session: false });
    expect(fits.text).toBe('x'.repeat(MAX_BODY));
  });
});
