import type { RequestBinding } from '../../cl1/binding.js';
import { P256_SHA256_AES256GCM, type Suite, X25519_SHA256_AES256GCM } from '../../hpke/suites.js';
import type { RandomDraw } from './scripted-backend.js';

/**
 * The fixed inputs of every vector: clocks, keys' seeds, the values each
 * party draws from its random source (in the order it draws them), and the
 * HTTP requests and responses. The hex strings were drawn once from a CSPRNG
 * and are fixed here; nothing in the generator reads the clock or a random
 * source.
 */

/** The client's clock when it seals: 2026-01-15T09:30:00.000Z. */
export const CLIENT_TIME = 1768469400000;
/** The server's clock when it opens: 250 ms later (network, and a slightly different clock). */
export const SERVER_TIME = CLIENT_TIME + 250;
export const MAX_SKEW_MS = 30_000;
export const SESSION_OPTIONS = { ttlMs: 30 * 60_000, maxMessages: 2 ** 24, windowSize: 128 } as const;

export interface KeyFixture {
  readonly keyId: number;
  readonly suite: Suite;
  /** DeriveKeyPair input, drawn by `generateServerKey`. */
  readonly ikm: string;
  readonly notBefore?: string;
  readonly notAfter?: string;
}

/**
 * A key set in the middle of a rotation, seen at SERVER_TIME: key 0 has
 * expired, keys 1 (X25519) and 2 (P-256) are valid, key 3 is published
 * ahead of its validity.
 */
export const KEY_FIXTURES: readonly KeyFixture[] = [
  {
    keyId: 0,
    suite: X25519_SHA256_AES256GCM,
    ikm: '4c8ade7ea2ab0529cfc217b497db47ec603ad8c6836484e99d32736cb52480bd',
    notBefore: '2025-06-01T00:00:00.000Z',
    notAfter: '2026-01-01T00:00:00.000Z',
  },
  {
    keyId: 1,
    suite: X25519_SHA256_AES256GCM,
    ikm: 'e91cae94d3660170fa9e947606f5f4ff14c5b6be375da0eec7fb5b136a3952d1',
    notBefore: '2025-12-01T00:00:00.000Z',
    notAfter: '2026-06-01T00:00:00.000Z',
  },
  {
    keyId: 2,
    suite: P256_SHA256_AES256GCM,
    ikm: '526d403a4fe05e5969688994391092d3610029ec27060d3078cf39d25cce27c7',
    notBefore: '2025-12-15T00:00:00.000Z',
  },
  {
    keyId: 3,
    suite: X25519_SHA256_AES256GCM,
    ikm: '09b93fefee5d1b8225c67ae1a40be6a2f8f494b0991de7ff1a54b9446ab182fc',
    notBefore: '2026-02-01T00:00:00.000Z',
  },
];

export interface SuiteFixture {
  /** Short name used in vector names. */
  readonly name: 'X25519' | 'P-256';
  readonly suite: Suite;
  /** The key of KEY_FIXTURES that a client restricted to this suite selects. */
  readonly keyId: number;
  readonly stateless: { readonly client: readonly RandomDraw[]; readonly server: readonly RandomDraw[] };
  readonly handshake: { readonly client: readonly RandomDraw[]; readonly server: readonly RandomDraw[] };
}

/**
 * Draw order, per party:
 * - stateless client: requestId (16), hpkeEphemeralIkm (Nsk);
 * - stateless server: responseNonce (max(Nn, Nk));
 * - handshake client: clientEphemeralIkm (Nsk), requestId (16), hpkeEphemeralIkm (Nsk);
 * - handshake server: sessionId (16), serverEphemeralIkm (Nsk), responseNonce (max(Nn, Nk)).
 */
export const SUITE_FIXTURES: readonly SuiteFixture[] = [
  {
    name: 'X25519',
    suite: X25519_SHA256_AES256GCM,
    keyId: 1,
    stateless: {
      client: [
        { purpose: 'requestId', value: 'b5c28313c3a7e5cfb310fa6bae3b632b' },
        {
          purpose: 'hpkeEphemeralIkm',
          value: '503532e70aa4bb9225d3620ad6c08b822121d86077e3e602ea79cbe34734a7b7',
        },
      ],
      server: [
        {
          purpose: 'responseNonce',
          value: 'ca7349084cfe63be9596492ecd0e85154167f6d965b6158c2b9bd2609cf0401f',
        },
      ],
    },
    handshake: {
      client: [
        {
          purpose: 'clientEphemeralIkm',
          value: '8211811eec19998d1a9f156cb2d4d84b7a58011bf9dcd2ec0394e60ebb133454',
        },
        { purpose: 'requestId', value: 'a2d8dfd38544ae1287ac47577ae9607d' },
        {
          purpose: 'hpkeEphemeralIkm',
          value: 'd61514e72b3d298cff99f4a103a16215e454400dafcd527195bda21f7698bf56',
        },
      ],
      server: [
        { purpose: 'sessionId', value: '5eb0a796ea7acfa0a42a88d4b7e9f654' },
        {
          purpose: 'serverEphemeralIkm',
          value: '7cc445e882e0e37dd6532fe61196ae65339591ad93ec64358330ee7d89e700ad',
        },
        {
          purpose: 'responseNonce',
          value: '4cafd327a84612665425249b2caf30270080c4dc633e40e122a0b2a5f00268a0',
        },
      ],
    },
  },
  {
    name: 'P-256',
    suite: P256_SHA256_AES256GCM,
    keyId: 2,
    stateless: {
      client: [
        { purpose: 'requestId', value: '86bb55b7c89ca1205c56f6de95dd940b' },
        {
          purpose: 'hpkeEphemeralIkm',
          value: '0bf25a829fac8ed0708f5a0a9ff05a77e99049a8c733464dc6df450d1764d024',
        },
      ],
      server: [
        {
          purpose: 'responseNonce',
          value: '42cb0ec647b80968b0aadbbd194372f4f6498b55bbaafbd84d24d382d3639d05',
        },
      ],
    },
    handshake: {
      client: [
        {
          purpose: 'clientEphemeralIkm',
          value: '25a7d88b23739e9471e668130f20ccf74df694798762af6b0fadb4bdd9ce4347',
        },
        { purpose: 'requestId', value: '2c8d4e00827408911de81724781009cc' },
        {
          purpose: 'hpkeEphemeralIkm',
          value: 'ff999399b353c3d2db35ded37f6e93629ac5578112f015772d3ebc650b9a278d',
        },
      ],
      server: [
        { purpose: 'sessionId', value: '81a3406f426837fb899d6fcdc8e63af4' },
        {
          purpose: 'serverEphemeralIkm',
          value: '4b38423f1a1b5a0b6c2224f1f3adb4307fdbd83fc4a05d722045f6bbc67755f6',
        },
        {
          purpose: 'responseNonce',
          value: '061727d7b31f2f9f1bd7c0727639616b6ed1fe6a85c7d11117c74826c0437545',
        },
      ],
    },
  },
];

/** Draws of the one extra request the negative vectors craft (a handshake with a short key). */
export const CRAFTED_REQUEST_DRAWS: readonly RandomDraw[] = [
  { purpose: 'requestId', value: 'b7ba9ed671ad15510d3f19b71f1cc71b' },
  { purpose: 'hpkeEphemeralIkm', value: 'ddf984880c42a98b8b43d1c62f64b2feac9c576233d5c0d8d67c031204dac990' },
];

export interface HttpMessage {
  readonly contentType: string;
  readonly body: string;
}

export const STATELESS_EXCHANGE = {
  binding: { method: 'POST', target: '/api/transfer?from=1' } satisfies RequestBinding,
  request: { contentType: 'application/json', body: '{"amount":125,"to":"DE89 3704"}' } satisfies HttpMessage,
  status: 201,
  response: { contentType: 'application/json', body: '{"balance":1875}' } satisfies HttpMessage,
};

export const HANDSHAKE_BINDING: RequestBinding = {
  method: 'POST',
  target: '/.well-known/cipherlayer/session',
};

export interface SessionExchangeFixture {
  readonly counter: number;
  readonly binding: RequestBinding;
  readonly request: HttpMessage;
  readonly status: number;
  readonly response: HttpMessage;
}

/**
 * Counters 0 and 1 are the client's first two messages; the third uses a
 * counter far ahead (the window slides) so that the counter nonce changes
 * more than its last byte.
 */
export const SESSION_EXCHANGES: readonly SessionExchangeFixture[] = [
  {
    counter: 0,
    binding: { method: 'POST', target: '/api/transfer' },
    request: { contentType: 'application/json', body: '{"amount":10,"to":"FR76 3000"}' },
    status: 200,
    response: { contentType: 'application/json', body: '{"ok":true}' },
  },
  {
    counter: 1,
    binding: { method: 'GET', target: '/api/balance?currency=EUR' },
    request: { contentType: '', body: '' },
    status: 200,
    response: { contentType: 'application/json', body: '{"balance":1865}' },
  },
  {
    counter: 0x0a0b0c,
    binding: { method: 'DELETE', target: '/api/cards/7' },
    request: { contentType: '', body: '' },
    status: 204,
    response: { contentType: '', body: '' },
  },
];
