import crypto from 'node:crypto';

/*
 * Seed 002's server code (../shared/seeds/002_*.txt, "Node.js side"),
 * reproduced verbatim. Only the TypeScript annotations are added,
 * `require('crypto')` is the import above, and Biome set the line breaks.
 * The tests run the Angular side against ciphertexts this code makes.
 */

// Encrypt response payloads using AES-256-GCM
export function encrypt(data: unknown, key: Buffer): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const enc = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return Buffer.concat([iv, tag, enc]).toString('base64');
}

interface JsonResponse {
  json: (data: unknown) => unknown;
}

// Middleware that encrypts EVERY response
export function encryptResponse(_req: unknown, res: JsonResponse, next: () => void): void {
  const originalJson = res.json.bind(res);
  res.json = (data) => {
    const aesKey = Buffer.from(process.env.AES_KEY as string, 'hex');
    return originalJson({ data: encrypt(data, aesKey) });
  };
  next();
}

/* ---- End of the seed's code. Below: test plumbing around it. ---- */

/**
 * What the seed's middleware puts on the wire when a route handler calls
 * `res.json(data)`, with AES_KEY set to `hexKey` as the seed reads it.
 */
export function seedResponseBody(data: unknown, hexKey: string): { data: string } {
  const saved = process.env.AES_KEY;
  process.env.AES_KEY = hexKey;
  try {
    let sent: unknown;
    const res: JsonResponse = {
      json: (body) => {
        sent = body;
        return body;
      },
    };
    encryptResponse({}, res, () => res.json(data));
    return sent as { data: string };
  } finally {
    if (saved === undefined) delete process.env.AES_KEY;
    else process.env.AES_KEY = saved;
  }
}

/**
 * NOT the seed's code: the seed only encrypts responses. This is the
 * mirror of its `encrypt` (same layout, node:crypto), standing in for the
 * server reading a request body sent in the same envelope.
 */
export function decryptOnServer(payload: string, key: Buffer): unknown {
  const buf = Buffer.from(payload, 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  decipher.setAuthTag(buf.subarray(12, 28));
  const plain = Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}

/** Seals raw bytes in the seed's layout: for plaintexts the seed's `encrypt` cannot produce (not JSON, not UTF-8). */
export function sealRawOnServer(plaintext: Buffer, key: Buffer): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const enc = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), enc]).toString('base64');
}
