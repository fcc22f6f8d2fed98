// biome-ignore-all format: seed 001's own code, kept as the seed prints it
// biome-ignore-all lint: seed 001's own code, kept as the seed prints it
// @ts-nocheck: the seed's code is untyped JavaScript
//
// Seed 001's own server code, reproduced verbatim from ../shared/seeds/001_*.txt:
// the key pair generation and encryptData of phase 1, the decryption of
// phase 3, and the response encryption of phase 4. What the seed leaves out
// is glue, marked as such: the Express routes, the JWT (HS256 with jose), and
// a Map standing in for Redis. Nothing here is "fixed".
import { constants, createCipheriv, createDecipheriv, generateKeyPairSync, privateDecrypt, randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { jwtVerify, SignJWT } from 'jose';

const secret = randomBytes(32); // glue
const redis = new Map<string, any>(); // glue: Redis stand-in

// Phase 1
async function createSession(aesKey: Buffer, deviceId: string, ipAddress: string) {
const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: {
        type: 'spki',
        format: 'pem'
    },
    privateKeyEncoding: {
        type: 'pkcs8',
        format: 'pem'
    }
});
  // glue: "Creates a session — Generates a session ID (e.g. UUID), builds a JWT with sessionId, deviceId, ipAddress, and stores in Redis"
  const sessionId = randomUUID();
  const token = await new SignJWT({ sessionId, deviceId, ipAddress }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('30m').sign(secret);
  redis.set(sessionId, { sessionId, privateKey, publicKey, deviceId, ipAddress });
const encryptData = {
    token: token,
    publicKey: publicKey
};
const iv = randomBytes(12);
const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
const encrypted = Buffer.concat([cipher.update(JSON.stringify(encryptData), 'utf8'), cipher.final()]);
const authTag = cipher.getAuthTag();
  // 5. Returns encryptedData, iv, and authTag (e.g. base64-encoded).
  return { encryptedData: encrypted.toString('base64'), iv: iv.toString('base64'), authTag: authTag.toString('base64') };
}

// glue: sessionService.getSessionWithValidation
async function getSessionWithValidation(sessionId: string) {
  const session = redis.get(sessionId);
  if (!session) throw new Error('no session');
  return session;
}

// Phase 3
async function decryptPayload(sessionId: string, encryptedAesKey: string, payload: any) {
const session = await sessionService.getSessionWithValidation(sessionId);
const { privateKey } = session;
const encryptedAesKeyBuffer = Buffer.from(encryptedAesKey, 'base64');
const aesKeyBuffer = privateDecrypt(
    {
        key: privateKey,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256'
    },
    encryptedAesKeyBuffer
);
const iv = Buffer.from(payload.iv, 'base64');
const authTag = Buffer.from(payload.authTag, 'base64');

const decipher = createDecipheriv('aes-256-gcm', aesKeyBuffer, iv);
decipher.setAuthTag(authTag);

const decrypted = Buffer.concat([
    decipher.update(Buffer.from(payload.encryptedData, 'base64')), 
    decipher.final()
]);

const decryptedData = JSON.parse(decrypted.toString('utf8'));
  return { decryptedData, aesKeyBuffer }; // glue
}
const sessionService = { getSessionWithValidation }; // glue

// Phase 4
function encryptPayload(data: string, aesKeyBuffer: Buffer) {
const iv = randomBytes(12);
const cipher = createCipheriv('aes-256-gcm', aesKeyBuffer, iv);
const encrypted = Buffer.concat([cipher.update(data, 'utf8'), cipher.final()]);
const authTag = cipher.getAuthTag();
  return { encryptedData: encrypted.toString('base64'), iv: iv.toString('base64'), authTag: authTag.toString('base64') }; // Return encryptedData, iv, and authTag (e.g. base64).
}

// ---- glue: the app ----
export async function startSeed001Server(): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(express.json());
  app.post('/session', async (req, res) => {
    const aesKey = Buffer.from(req.body.aesKey, 'base64');
    res.json(await createSession(aesKey, req.body.deviceId, req.ip as string));
  });
  app.post('/api/transfer', async (req, res) => {
    try {
      const token = String(req.get('authorization')).replace('Bearer ', '');
      const { payload } = await jwtVerify(token, secret);
      const { decryptedData, aesKeyBuffer } = await decryptPayload(payload.sessionId as string, req.body.encryptedAesKey, req.body);
      res.status(201).json(encryptPayload(JSON.stringify({ ok: true, to: decryptedData.to, amount: decryptedData.amount }), aesKeyBuffer));
    } catch {
      // "return generic errors to the client"
      res.status(400).json({ error: 'Invalid encrypted payload' });
    }
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
