// biome-ignore-all format: seed 004's own code, kept as the seed prints it
// biome-ignore-all lint: seed 004's own code, kept as the seed prints it
// @ts-nocheck: the seed's code is TypeScript with node-jose, which has no types
//
// Seed 004's own code, reproduced verbatim from ../shared/seeds/004_*.txt: the
// JweService methods generateKeys(), createJWEToken() and decodeJWE(), and the
// error handling that answers 422. `jose` is node-jose here, as in the seed.
// Glue, marked as such: the class around the methods, and an Express server
// for the seed's server side. Nothing is "fixed": createJWEToken gives
// node-jose no options but { format: 'compact' }.
import * as crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import jose from 'node-jose';

export class JweService { // glue: the seed shows these as methods of a service
public generateKeys() {
  const curve = 'secp521r1';
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', {
    namedCurve: curve,
  });

  return {
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }),
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }),
  };
}

public async createJWEToken(
  payload = {},
  publicKey: string
): Promise<string | null> {
  try {
    // Create a key store
    const keystore = jose.JWK.createKeyStore();

    // Add the public key to the keystore
    const key = await keystore.add(publicKey, 'pem');

    // Convert payload to JSON string
    const payloadString = JSON.stringify(payload);

    // Create and return the JWE token
    return await jose.JWE.createEncrypt({ format: 'compact' }, key)
      .update(payloadString)
      .final();
  } catch (error) {
    console.error('Encryption failed:', error);
    return null;
  }
}

public async decodeJWE(
  token: string,
  privateKey: string
): Promise<string | null> {
  try {
    // Create a key store
    const keystore = jose.JWK.createKeyStore();

    // Add the private key to the keystore
    const key = await keystore.add(privateKey, 'pem');

    // Decrypt the JWE token
    const result = await jose.JWE.createDecrypt(key).decrypt(token);

    // Return the decrypted payload as string
    return result.payload.toString('utf8');
  } catch (error) {
    console.error('Decryption failed:', error);
    return null;
  }
}
}

export const jweService = new JweService(); // glue

// ---- glue: the seed's server side as an Express app ----
class UnprocessableEntityException extends Error {} // glue: NestJS's exception

export async function startSeed004Server(privateKey: string): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(express.text({ type: 'application/jose' }));
  app.use(express.json());
  app.post('/api/transfer', async (req, res) => {
    try {
      const token = typeof req.body === 'string' ? req.body : req.body.jwe;
// Graceful degradation
const decryptedData = await jweService.decodeJWE(token, privateKey);
if (!decryptedData) {
  throw new UnprocessableEntityException('Invalid encrypted payload');
}
      const payload = JSON.parse(decryptedData);
      res.status(201).json({ ok: true, to: payload.to, amount: payload.amount });
    } catch {
      res.status(422).json({ statusCode: 422, message: 'Invalid encrypted payload' });
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
