import type { KeyObject } from 'node:crypto';
import { DOCUMENT_JSON, ECHO_PATH, GET_PATH } from './document.js';
import { Rotation } from './rotation.js';
import { floorOpen, floorSeal } from './schemes/floor.js';
import { createJwes, type JweKeyPair } from './schemes/jwe.js';
import { decrypt } from './schemes/seed002.js';
import { JWE_HEADER } from './server/spec.js';
import { expectStatus, expectText, fetchBody, type LoadRequest, type RequestSource } from './source.js';

/** Sources whose requests are all alike (or a reusable pool): plaintext, the floor, seed 002, seed 004. */

const GET: LoadRequest = { method: 'GET', path: GET_PATH, headers: { accept: 'application/json' } };
const DOCUMENT_BODY = Buffer.from(DOCUMENT_JSON);

function fixed(template: LoadRequest, verify: (origin: string) => Promise<void>): RequestSource {
  return { template, prepare: () => {}, overruns: 0, verify };
}

async function get(origin: string, init: RequestInit = {}): Promise<Response> {
  return await fetch(`${origin}${GET_PATH}`, init);
}

export function plaintextGet(): RequestSource {
  return fixed(GET, async (origin) => {
    const response = await get(origin);
    expectStatus(response.status, 200, 'plaintext GET');
    expectText(await response.text(), DOCUMENT_JSON, 'plaintext GET');
  });
}

export function floorGet(key: KeyObject): RequestSource {
  return fixed(GET, async (origin) => {
    const response = await get(origin);
    expectStatus(response.status, 200, 'floor GET');
    const sealed = new Uint8Array(await response.arrayBuffer());
    expectText(floorOpen(key, sealed).toString('utf8'), DOCUMENT_JSON, 'floor GET');
  });
}

export function seed002Get(key: Buffer): RequestSource {
  return fixed(GET, async (origin) => {
    const response = await get(origin);
    expectStatus(response.status, 200, 'seed 002 GET');
    const { data } = (await response.json()) as { data: string };
    expectText(JSON.stringify(decrypt(data, key)), DOCUMENT_JSON, 'seed 002 GET');
  });
}

/** What a seed 004 client puts in the token of a GET: the request's parameters. */
export const JWE_PAYLOAD = { account: 'DE44 5001 0517 5407 3249 31', action: 'read' };

/**
 * Seed 004 GETs: a pool of distinct tokens (each with its own ephemeral key,
 * so the server does the full ECDH every time), reused round and round since
 * the seed's server keeps no replay state.
 */
export async function jweGet(keys: JweKeyPair, poolSize: number): Promise<RequestSource> {
  const tokens = new Rotation<string>(true);
  tokens.load(await createJwes(keys.publicKey, JWE_PAYLOAD, poolSize));
  return {
    template: GET,
    next: () => ({ headers: { ...GET.headers, [JWE_HEADER]: tokens.take() } }),
    prepare: () => {},
    get overruns() {
      return tokens.overruns;
    },
    verify: async (origin) => {
      const [token] = await createJwes(keys.publicKey, JWE_PAYLOAD, 1);
      const response = await get(origin, { headers: { [JWE_HEADER]: token as string } });
      expectStatus(response.status, 200, `jwe ${keys.curve} GET`);
      expectText(await response.text(), DOCUMENT_JSON, `jwe ${keys.curve} GET`);
      // The seed's answer to an invalid payload: 422.
      const forged = `${(token as string).slice(0, -4)}AAAA`;
      const refused = await get(origin, { headers: { [JWE_HEADER]: forged } });
      expectStatus(refused.status, 422, `jwe ${keys.curve} GET with a tampered token`);
      await refused.arrayBuffer();
    },
  };
}

const POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

export function plaintextPost(): RequestSource {
  const template: LoadRequest = {
    method: 'POST',
    path: ECHO_PATH,
    headers: POST_HEADERS,
    body: DOCUMENT_BODY,
  };
  return fixed(template, async (origin) => {
    const response = await fetch(`${origin}${ECHO_PATH}`, {
      method: 'POST',
      headers: POST_HEADERS,
      body: fetchBody(DOCUMENT_BODY),
    });
    expectStatus(response.status, 200, 'plaintext POST');
    expectText(await response.text(), DOCUMENT_JSON, 'plaintext POST');
  });
}

/** The floor's POST: the same sealed body every time (the floor has no replay protection to satisfy). */
export function floorPost(key: KeyObject): RequestSource {
  const headers = { 'content-type': 'application/octet-stream', accept: 'application/octet-stream' };
  const body = floorSeal(key, DOCUMENT_JSON);
  const template: LoadRequest = { method: 'POST', path: ECHO_PATH, headers, body };
  return fixed(template, async (origin) => {
    const response = await fetch(`${origin}${ECHO_PATH}`, { method: 'POST', headers, body: fetchBody(body) });
    expectStatus(response.status, 200, 'floor POST');
    const sealed = new Uint8Array(await response.arrayBuffer());
    expectText(floorOpen(key, sealed).toString('utf8'), DOCUMENT_JSON, 'floor POST');
  });
}
