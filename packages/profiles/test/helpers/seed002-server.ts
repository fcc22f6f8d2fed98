// Seed 002's own server code, reproduced verbatim from ../shared/seeds/002_*.txt
// ("02 Node.js side"): the encrypt helper and the encryption middleware. Only
// the module syntax differs (an ESM import for `require('crypto')`), and the
// Express app around them (`startSeedServer`) is the test's, with the seed's
// route. Do not "fix" anything in here: the point is to interoperate with
// this code as people copied it.
// @ts-nocheck: the seed's code is untyped JavaScript
import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

// ---- seed 002, verbatim (types added so that it compiles under strict TypeScript) ----

// Encrypt response payloads using AES-256-GCM
export function encrypt(data: unknown, key: Buffer) {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const enc = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return Buffer.concat([iv, tag, enc]).toString('base64');
}

// Middleware that encrypts EVERY response
// biome-ignore lint/suspicious/noExplicitAny: the seed's code is untyped JavaScript
export function encryptResponse(_req: any, res: any, next: any) {
  const originalJson = res.json.bind(res);
  res.json = (data: unknown) => {
    const aesKey = Buffer.from(process.env.AES_KEY as string, 'hex');
    return originalJson({ data: encrypt(data, aesKey) });
  };
  next();
}

// ---- the test's app around it ----

export async function startSeedServer(): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(encryptResponse); // Level 3 — encrypt payload
  app.get('/api/payment-details', (_req, res) => {
    // Server sends plain object — middleware encrypts it
    res.json({
      cardLast4: '4242',
      expiryMonth: 12,
      expiryYear: 2027,
    });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
