import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, type Harness } from './helpers/harness.js';
import { mirrorBody, mirrorProfile, openMirror } from './helpers/mirror-profile.js';
import { type ProfileHarness, startProfileHarness } from './helpers/profile-apps.js';

/**
 * A profile plugged into each adapter (the mirror profile: the plumbing
 * without cryptography): policies, sealing, the profile's own endpoint,
 * its statuses, and what a route for it refuses.
 */
const json = { 'content-type': 'application/json' };

function errorCode(response: { body: Buffer }): string {
  return (JSON.parse(response.body.toString('utf8')) as { error: { code: string } }).error.code;
}

describe.each(ADAPTERS)('%s', (name) => {
  let harness: ProfileHarness;
  let revoked = 0;
  beforeAll(async () => {
    harness = await startProfileHarness(
      name,
      mirrorProfile({ async: name === 'fastify', failOnStatus: 503, onRevoke: () => revoked++ }),
    );
  });
  afterAll(() => harness.close());

  it('require: the envelope is opened, the handler gets the plaintext, the answer is sealed', async () => {
    const response = await harness.send({
      method: 'POST',
      target: '/p/echo',
      headers: json,
      body: mirrorBody({ to: 'DE89', amount: 12.5 }),
    });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.vary).toContain('X-Mirror');
    expect(response.headers.etag).toBeUndefined();
    const opened = openMirror(response.body);
    expect(opened.status).toBe(201);
    expect(opened.value).toEqual({
      body: { to: 'DE89', amount: 12.5 },
      details: { via: 'body', method: 'POST' },
    });
    expect(harness.seen.at(-1)?.profile?.profile).toBe('mirror');
    expect(harness.seen.at(-1)?.cl1).toBe(false);
  });

  it('require: plaintext is 415 before the handler runs, with or without a body', async () => {
    const before = harness.seen.length;
    const posted = await harness.send({
      method: 'POST',
      target: '/p/echo',
      headers: json,
      body: '{"to":"x"}',
    });
    expect(posted.status).toBe(415);
    expect(errorCode(posted)).toBe('ERR_PLAINTEXT_REJECTED');
    const text = await harness.send({
      method: 'POST',
      target: '/p/echo',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(text.status).toBe(415);
    const got = await harness.send({ method: 'GET', target: '/p/get' });
    expect(got.status).toBe(415);
    expect(got.headers['cache-control']).toBe('no-store');
    expect(harness.seen.length).toBe(before);
  });

  it('a bodiless request carried by a header is opened, and its answer sealed', async () => {
    const response = await harness.send({ method: 'GET', target: '/p/get', headers: { 'x-mirror': '1' } });
    expect(response.status).toBe(200);
    expect(openMirror(response.body).value).toEqual({ ok: true });
    expect(harness.seen.at(-1)?.profile?.details).toEqual({ via: 'header' });
  });

  it('optional: plaintext reaches the app (its body read once and handed on) and is answered in the clear', async () => {
    const response = await harness.send({
      method: 'POST',
      target: '/p/optional',
      headers: json,
      body: '{"hello":"world"}',
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ body: { hello: 'world' }, opened: false });
    expect(response.headers.vary).toContain('X-Mirror');
    const sealed = await harness.send({
      method: 'POST',
      target: '/p/optional',
      headers: json,
      body: mirrorBody({ a: 1 }),
    });
    expect(openMirror(sealed.body).value).toEqual({ body: { a: 1 }, opened: true });
  });

  it('optional: a broken envelope is refused, never passed on', async () => {
    const response = await harness.send({
      method: 'POST',
      target: '/p/optional',
      headers: json,
      body: '{"mirror":"!"}',
    });
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe('ERR_MALFORMED');
  });

  it("the profile's statuses: a decryption failure is 422 with the registry's body", async () => {
    const response = await harness.send({
      method: 'POST',
      target: '/p/echo',
      headers: json,
      body: '{"mirror":"fail"}',
    });
    expect(response.status).toBe(422);
    expect(JSON.parse(response.body.toString())).toEqual({
      error: { code: 'ERR_DECRYPT', message: 'decryption operation failed' },
    });
  });

  it('an empty answer the profile leaves alone goes out as the app made it', async () => {
    const response = await harness.send({ method: 'GET', target: '/p/empty', headers: { 'x-mirror': '1' } });
    expect(response.status).toBe(204);
    expect(response.body.length).toBe(0);
  });

  it('a body over maxWireBytes is 413; an answer over maxBodyBytes or one the sealer refuses is 500 in the clear', async () => {
    const big = await harness.send({
      method: 'POST',
      target: '/p/echo',
      headers: json,
      body: mirrorBody({ pad: 'y'.repeat(5000) }),
    });
    expect(big.status).toBe(413);
    const large = await harness.send({
      method: 'GET',
      target: '/p/large?bytes=4000',
      headers: { 'x-mirror': '1' },
    });
    expect(large.status).toBe(500);
    expect(errorCode(large)).toBe('ERR_INTERNAL');
    expect(large.body.toString()).not.toContain('xxxx');
    const refused = await harness.send({
      method: 'GET',
      target: '/p/status?code=503',
      headers: { 'x-mirror': '1' },
    });
    expect(refused.status).toBe(500);
    expect(refused.body.toString()).not.toContain('503');
    const fine = await harness.send({
      method: 'GET',
      target: '/p/status?code=409',
      headers: { 'x-mirror': '1' },
    });
    expect(openMirror(fine.body)).toEqual({ status: 409, value: { status: 409 } });
  });

  it("serves the profile's endpoint with its own limits", async () => {
    const response = await harness.send({
      method: 'POST',
      target: '/mirror/session',
      headers: json,
      body: '{"k":1}',
    });
    expect(response.status).toBe(201);
    expect(JSON.parse(response.body.toString())).toEqual({ got: 7 });
    expect(response.headers['cache-control']).toBe('no-store');
    const empty = await harness.send({ method: 'POST', target: '/mirror/session' });
    expect(empty.status).toBe(400);
    const large = await harness.send({
      method: 'POST',
      target: '/mirror/session',
      headers: json,
      body: 'z'.repeat(100),
    });
    expect(large.status).toBe(413);
  });

  it('off: the envelope reaches the app unopened', async () => {
    const response = await harness.send({
      method: 'POST',
      target: '/p/off',
      headers: json,
      body: mirrorBody({ a: 1 }),
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ contentType: 'application/json' });
  });

  it('revokeSession reaches the profile, and the answer is still sealed', async () => {
    const response = await harness.send({
      method: 'POST',
      target: '/p/revoke',
      headers: json,
      body: mirrorBody({}),
    });
    expect(openMirror(response.body).value).toEqual({ revoked: true });
    expect(revoked).toBe(1);
  });
});

describe.each(ADAPTERS)('%s: cl1 and a profile side by side', (name) => {
  let harness: ProfileHarness;
  let client: TestClient;
  beforeAll(async () => {
    harness = await startProfileHarness(name, mirrorProfile());
    client = await TestClient.connect(harness as unknown as Harness);
  });
  afterAll(() => harness.close());

  it('a route listing both opens either, and answers each in its own format', async () => {
    const viaCl1 = await client.call({ method: 'POST', target: '/both', json: { n: 1 }, session: false });
    expect(viaCl1.json()).toEqual({ body: { n: 1 }, via: 'cl1' });
    expect(viaCl1.response.headers['content-type']).toBe('application/cipherlayer');
    const getCl1 = await client.call({ method: 'GET', target: '/both', session: false });
    expect(getCl1.json()).toMatchObject({ via: 'cl1' });
    const viaProfile = await harness.send({
      method: 'POST',
      target: '/both',
      headers: json,
      body: mirrorBody({ n: 2 }),
    });
    expect(openMirror(viaProfile.body).value).toEqual({ body: { n: 2 }, via: 'mirror' });
  });

  it('a route listing both still refuses plaintext', async () => {
    const response = await harness.send({ method: 'POST', target: '/both', headers: json, body: '{"n":3}' });
    expect(response.status).toBe(415);
  });

  it("no crossing: a cl1 route refuses the profile's envelope, a profile route refuses cl1", async () => {
    const onCl1 = await harness.send({
      method: 'POST',
      target: '/cl1',
      headers: json,
      body: mirrorBody({ n: 4 }),
    });
    expect(onCl1.status).toBe(415);
    const built = await client.build({ method: 'POST', target: '/p/echo', json: { n: 5 }, session: false });
    const onProfile = await harness.send(built.request);
    expect(onProfile.status).toBe(415);
    const header = await client.build({ method: 'GET', target: '/p/get', session: false });
    expect((await harness.send(header.request)).status).toBe(415);
  });
});
