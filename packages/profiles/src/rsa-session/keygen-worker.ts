/**
 * The key generation worker, as source text: run with `eval: true`, so it
 * works the same from the TypeScript sources (tests) and from `dist`, with
 * no file to locate. It generates RSA key pairs exactly as seed 001 does
 * (`generateKeyPairSync('rsa', { modulusLength: 2048, spki/pkcs8 PEM })`),
 * one message per pair, and nothing else.
 */
export const KEYGEN_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { generateKeyPairSync } = require('node:crypto');
parentPort.on('message', (count) => {
  for (let i = 0; i < count; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: workerData.modulusLength,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    parentPort.postMessage({ publicKey, privateKey });
  }
});
`;
