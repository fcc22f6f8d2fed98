import type { KeyObject } from 'node:crypto';
import { sizeLabel } from './catalogue.js';
import { DOCUMENT_JSON, documentJson, ECHO_PATH, GET_PATH } from './document.js';
import { Rotation } from './rotation.js';
import { floorOpen, floorSeal } from './schemes/floor.js';
import { createJwes, type JweKeyPair } from './schemes/jwe.js';
import { decrypt } from './schemes/seed002.js';
import { JWE_HEADER } from './server/spec.js';
import { expectStatus, expectText, fetchBody, type LoadRequest, type RequestSource } from './source.js';

/** Sources whose requests are all alike (or a reusable pool): plaintext, the floor, seed 002, seed 004. */

const GET: LoadRequest = { method: 'GET', path: GET_PATH, headers: { accept: 'application/json' } };

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

/** Where a GET's token goes and what it seals. */
export interface JweGetForm {
  readonly header: string;
  /** The token's JSON payload; undefined for none. */
  readonly payload: unknown;
}

/** Seed 004: the request's parameters in a token in the `jwe` header. */
export const SEED004_GET: JweGetForm = { header: JWE_HEADER, payload: JWE_PAYLOAD };

/**
 * Seed 004 GETs, or the jwe profile's: a pool of distinct tokens (each with
 * its own ephemeral key, so the server does the full ECDH every time), reused
 * round and round since neither server keeps replay state (the profile in its
 * default, compatible mode). The profile's GET token goes in
 * `Cipherlayer-JWE` and seals no plaintext (the profile refuses a header
 * token that carries any: a GET has no body).
 */
export async function jweGet(
  keys: JweKeyPair,
  poolSize: number,
  { header, payload }: JweGetForm = SEED004_GET,
): Promise<RequestSource> {
  const tokens = new Rotation<string>(true);
  tokens.load(await createJwes(keys.publicKey, payload, poolSize));
  const what = `jwe ${keys.curve} GET (${header} header)`;
  return {
    template: GET,
    next: () => ({ headers: { ...GET.headers, [header]: tokens.take() } }),
    prepare: () => {},
    get overruns() {
      return tokens.overruns;
    },
    verify: async (origin) => {
      const [token] = await createJwes(keys.publicKey, payload, 1);
      const response = await get(origin, { headers: { [header]: token as string } });
      expectStatus(response.status, 200, what);
      expectText(await response.text(), DOCUMENT_JSON, what);
      // The seed's answer to an invalid payload: 422 (the profile's too).
      const forged = `${(token as string).slice(0, -4)}AAAA`;
      const refused = await get(origin, { headers: { [header]: forged } });
      expectStatus(refused.status, 422, `${what} with a tampered token`);
      await refused.arrayBuffer();
    },
  };
}

const POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** POST of the document padded to `bytes`, echoed. */
export function plaintextPost(bytes: number): RequestSource {
  const json = documentJson(bytes);
  const body = Buffer.from(json);
  const what = `plaintext POST ${sizeLabel(bytes)}`;
  const template: LoadRequest = { method: 'POST', path: ECHO_PATH, headers: POST_HEADERS, body };
  return fixed(template, async (origin) => {
    const response = await fetch(`${origin}${ECHO_PATH}`, {
      method: 'POST',
      headers: POST_HEADERS,
      body: fetchBody(body),
    });
    expectStatus(response.status, 200, what);
    expectText(await response.text(), json, what);
  });
}

/** The floor's POST: the same sealed body every time (the floor has no replay protection to satisfy). */
export function floorPost(key: KeyObject, bytes: number): RequestSource {
  const json = documentJson(bytes);
  const what = `floor POST ${sizeLabel(bytes)}`;
  const headers = { 'content-type': 'application/octet-stream', accept: 'application/octet-stream' };
  const body = floorSeal(key, json);
  const template: LoadRequest = { method: 'POST', path: ECHO_PATH, headers, body };
  return fixed(template, async (origin) => {
    const response = await fetch(`${origin}${ECHO_PATH}`, { method: 'POST', headers, body: fetchBody(body) });
    expectStatus(response.status, 200, what);
    const sealed = new Uint8Array(await response.arrayBuffer());
    expectText(floorOpen(key, sealed).toString('utf8'), json, what);
  });
}
