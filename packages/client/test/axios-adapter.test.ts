import axios, { AxiosError, CanceledError } from 'axios';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cipherlayerAdapter } from '../src/axios.js';
import { CipherlayerServerError, createClient } from '../src/index.js';
import { SESSION_PATH, ServerDouble } from './helpers/server-double.js';
import { expectNoPlaintext, isCl1Request } from './helpers/wire.js';

/** axios over the client: same sealing, same retry rules, axios's own conventions for everything else. */
let server: ServerDouble;
beforeEach(async () => {
  server = await ServerDouble.start();
});
afterEach(async () => {
  await server.close();
});

const api = (mode: 'stateless' | 'session', encoding: 'binary' | 'json' = 'binary') =>
  axios.create({
    baseURL: `${server.origin}/api`,
    adapter: cipherlayerAdapter(createClient({ baseUrl: server.origin, mode, encoding })),
  });
const appEcho = () => {
  server.app = (request) => ({
    status: request.method === 'POST' ? 201 : 200,
    contentType: 'application/json',
    headers: { 'x-target': request.target },
    body: JSON.stringify({
      got: request.body.length > 0 ? JSON.parse(new TextDecoder().decode(request.body)) : null,
      balance: 'BAL-SECRET-9',
    }),
  });
};

describe.each([
  ['stateless', 'binary'],
  ['session', 'json'],
] as const)('%s mode, %s encoding', (mode, encoding) => {
  it('POST an object, GET with params: axios serialises and parses plaintext, the wire carries cl1 only', async () => {
    appEcho();
    const client = api(mode, encoding);
    const posted = await client.post('/transfer', { iban: 'IBAN-SECRET-1', amount: 12 });
    expect(posted.status).toBe(201);
    expect(posted.data).toEqual({ got: { iban: 'IBAN-SECRET-1', amount: 12 }, balance: 'BAL-SECRET-9' });
    expect(posted.headers['content-type']).toBe('application/json');

    const fetched = await client.get('/accounts', { params: { page: 2 } });
    expect(fetched.data).toEqual({ got: null, balance: 'BAL-SECRET-9' });
    expect(fetched.headers['x-target']).toBe('/api/accounts?page=2');

    expect(
      server.exchanges.filter((e) => e.target.startsWith('/api/')).every((e) => isCl1Request(e.rawHeaders)),
    ).toBe(true);
    expectNoPlaintext(server, ['IBAN-SECRET-1', 'BAL-SECRET-9']);
  });
});

it('an application error status is an AxiosError with the decrypted response', async () => {
  server.app = () => ({ status: 404, contentType: 'application/json', body: '{"error":"no such account"}' });
  const failure = await api('session')
    .get('/accounts/9')
    .catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(AxiosError);
  expect((failure as AxiosError).code).toBe(AxiosError.ERR_BAD_REQUEST);
  expect((failure as AxiosError).response?.status).toBe(404);
  expect((failure as AxiosError).response?.data).toEqual({ error: 'no such account' });
});

it('responseType arraybuffer gets the decrypted bytes', async () => {
  server.app = () => ({ contentType: 'application/octet-stream', body: Uint8Array.of(1, 2, 3) });
  const response = await api('stateless').get('/file', { responseType: 'arraybuffer' });
  expect([...new Uint8Array(response.data as ArrayBuffer)]).toEqual([1, 2, 3]);
});

it('same retry rule: one re-handshake and one resend, then the CipherlayerError itself', async () => {
  const client = api('session');
  await client.post('/transfer', { warmup: true });
  server.failNext('ERR_SESSION_UNKNOWN', { path: '/api/transfer', times: 5 });
  const failure = await client.post('/transfer', { iban: 'IBAN-SECRET-2' }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(CipherlayerServerError);
  expect(failure).toMatchObject({ code: 'ERR_SESSION_UNKNOWN', httpStatus: 401 });
  expect(server.count('POST', '/api/transfer')).toBe(3);
  expect(server.count('POST', SESSION_PATH)).toBe(2);
  expectNoPlaintext(server, ['IBAN-SECRET-2']);
});

it('same origin rule: an absolute URL elsewhere is refused before sending', async () => {
  await expect(
    api('stateless').post('https://example.com/steal', { iban: 'IBAN-SECRET-3' }),
  ).rejects.toMatchObject({
    code: 'ERR_CONFIG',
  });
  expect(server.exchanges).toHaveLength(0);
});

it('basic auth from the config travels as an (unprotected) Authorization header', async () => {
  server.app = () => ({ contentType: 'text/plain', body: 'ok' });
  await api('stateless').get('/me', { auth: { username: 'ana', password: 'pä55' } });
  const sent = server.exchanges.at(-1)!.rawHeaders;
  expect(sent[sent.findIndex((h) => h.toLowerCase() === 'authorization') + 1]).toBe(
    `Basic ${Buffer.from('ana:pä55').toString('base64')}`,
  );
});

it('responseType blob and stream get the decrypted body', async () => {
  server.app = () => ({ contentType: 'text/plain', body: 'decrypted words' });
  const client = api('session');
  const blob = (await client.get('/file', { responseType: 'blob' })).data as Blob;
  expect(await blob.text()).toBe('decrypted words');
  const stream = (await client.get('/file', { responseType: 'stream' })).data as ReadableStream;
  expect(await new Response(stream).text()).toBe('decrypted words');
});

it('a Node stream as data is refused with a message that says what to pass', async () => {
  const { Readable } = await import('node:stream');
  await expect(api('stateless').post('/upload', Readable.from(['x']))).rejects.toMatchObject({
    code: 'ERR_CONFIG',
  });
  expect(server.exchanges).toHaveLength(0);
});

it('a transport failure is an AxiosError ERR_NETWORK', async () => {
  const client = api('stateless');
  await server.close();
  await expect(client.get('/x')).rejects.toMatchObject({ isAxiosError: true, code: AxiosError.ERR_NETWORK });
  server = await ServerDouble.start();
});

it('timeout and cancellation surface as axios errors', async () => {
  server.override((res) => setTimeout(() => res.writeHead(500).end(), 300), 2, '/api/slow');
  const client = api('stateless');
  await expect(client.get('/slow', { timeout: 50 })).rejects.toMatchObject({ code: AxiosError.ECONNABORTED });
  const controller = new AbortController();
  const pending = client.get('/slow', { signal: controller.signal });
  setTimeout(() => controller.abort(), 20);
  await expect(pending).rejects.toBeInstanceOf(CanceledError);
});
