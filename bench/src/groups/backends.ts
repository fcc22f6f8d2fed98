import type { CryptoBackend } from '@cipherlayer/core';
import { body, nodeBackend, webCryptoBackend } from '../fixtures.js';
import type { BenchGroup, Variant } from '../group.js';

const AAD = new Uint8Array(64).fill(7);
const HMAC_KEY = new Uint8Array(32).fill(1);
const HMAC_DATA = new Uint8Array(64).fill(2);

/** Per-primitive operations on one backend, each one call of the CryptoBackend interface. */
async function primitives(backend: CryptoBackend) {
  const aeadRaw = backend.randomBytes(32);
  const aeadKey = await backend.importAeadKey('AES-256-GCM', aeadRaw);
  const own = await backend.importDhPrivateKey('X25519', backend.randomBytes(32));
  const peer = await backend.importDhPrivateKey('X25519', backend.randomBytes(32));
  const dhSecret = backend.randomBytes(32);
  return [
    ['AES-256-GCM seal 1 KiB', () => backend.seal(aeadKey, backend.randomBytes(12), AAD, body)],
    ['AES-256-GCM key import', () => backend.importAeadKey('AES-256-GCM', aeadRaw)],
    ['HMAC-SHA256 of 64 bytes', () => backend.hmac('SHA-256', HMAC_KEY, HMAC_DATA)],
    ['X25519 DH (peer key import + derive)', () => backend.dh('X25519', own.privateKey, peer.publicKey)],
    ['X25519 private key import (+ public key)', () => backend.importDhPrivateKey('X25519', dhSecret)],
  ] as const;
}

export const backends: BenchGroup = {
  name: 'backends',
  title: 'Backend primitives',
  description:
    'One call of each CryptoBackend primitive the protocol uses, on node:crypto and on Web Crypto ' +
    '(in Node): why the server runs on node:crypto. Each Web Crypto row is compared with the ' +
    'node:crypto row of the same primitive.',

  async setup() {
    const node = await primitives(nodeBackend);
    const web = await primitives(webCryptoBackend);
    const variants: Variant[] = [];
    node.forEach(([primitive, run], i) => {
      const nodeName = `${primitive} — node:crypto`;
      const webRun = (web[i] as (typeof web)[number])[1];
      variants.push(
        { name: nodeName, operation: { sync: run } },
        {
          name: `${primitive} — webcrypto`,
          versus: nodeName,
          operation: { async: async () => await webRun() },
        },
      );
    });
    return {
      variants,
      notes: [
        'AES-256-GCM seal: fresh 12-byte nonce from `randomBytes`, 64 bytes of AAD, 16-byte tag appended.',
        'HMAC-SHA256 is the step HKDF repeats (a 32-byte key and about 64 bytes of input); Web Crypto imports the key on every call, as the backend must.',
        'X25519 DH includes importing the peer public key, as every `dh` call does; the private key import is what each ephemeral key generation costs after its HKDF.',
      ],
    };
  },
};
