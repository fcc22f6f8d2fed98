// biome-ignore-all format: seed 001's own code, kept as the seed prints it
// biome-ignore-all lint: seed 001's own code, kept as the seed prints it
// @ts-nocheck: the seed's code is untyped JavaScript
//
// Seed 001's own client code, reproduced verbatim from ../shared/seeds/001_*.txt:
// phase 1 ("const aesKey = crypto.randomBytes(32);"), phase 2 steps 1 to 3, and
// phase 5's "Complete frontend decryption helper". Only what the seed leaves
// out is added, marked "glue": the functions around the steps, the base64 of
// the fields it lists in step 4, and the HTTP calls. Nothing here is "fixed":
// in particular `crypto.publicEncrypt(bePublicKey, aesKey)` uses Node's default
// OAEP hash, SHA-1, while the seed's server decrypts with SHA-256.
import crypto from 'node:crypto';

// ---- Phase 1: Initial Token Creation (what the frontend does) ----
export function phase1AesKey() {
const aesKey = crypto.randomBytes(32);
  return aesKey; // glue
}

// ---- Phase 2: Frontend Payload Encryption ----
export function encryptPayload(data: any, bePublicKey: string) { // glue: the function around the steps
// Step 1: Generate AES key and IV
const aesKey = crypto.randomBytes(32);
const iv = crypto.randomBytes(12);

// Step 2: Encrypt payload with AES-256-GCM
const cipher = crypto.createCipheriv("aes-256-gcm", aesKey, iv);
let encrypted = cipher.update(JSON.stringify(data), "utf8", "base64");
encrypted += cipher.final("base64");
const authTag = cipher.getAuthTag();

// Step 3: Encrypt the AES key with the backend public key
// Encrypt AES key using BE public key
const encryptedKey = crypto.publicEncrypt(
  bePublicKey,
  aesKey
);

  // Step 4: Send to backend — glue: the four fields the seed lists, base64
  return {
    body: {
      encryptedAesKey: encryptedKey.toString('base64'),
      encryptedData: encrypted,
      iv: iv.toString('base64'),
      authTag: authTag.toString('base64'),
    },
    aesKey,
  };
}

// ---- Phase 5: Complete frontend decryption helper ----
function decryptApiResponse(encryptedData: any, iv: any, authTag: any, aesKey: any) {
    // Decode base64 encoded values
    const encryptedDataBuffer = Buffer.from(encryptedData, 'base64');
    const ivBuffer = Buffer.from(iv, 'base64');
    const authTagBuffer = Buffer.from(authTag, 'base64');
    
    // Create decipher
    const decipher = crypto.createDecipheriv("aes-256-gcm", aesKey, ivBuffer);
    decipher.setAuthTag(authTagBuffer);
    
    // Decrypt data
    let decrypted = decipher.update(encryptedDataBuffer, null, 'utf8');
    decrypted += decipher.final('utf8');
    
    // Parse and return decrypted data
    return JSON.parse(decrypted);
}

export { decryptApiResponse };

// ---- glue: the seed client over HTTP ----

export interface SeedSession {
  token: string;
  publicKey: string;
}

/** Phase 1 over HTTP: our AES key in `{ aesKey, deviceId }`, the answer opened with the seed's helper. */
export async function seedCreateSession(url: string, deviceId: string): Promise<SeedSession> {
  const aesKey = phase1AesKey();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-device-id': deviceId },
    body: JSON.stringify({ aesKey: aesKey.toString('base64'), deviceId }),
  });
  if (response.status !== 200) throw new Error(`session creation answered ${response.status}: ${await response.text()}`);
  const { encryptedData, iv, authTag } = (await response.json()) as Record<string, string>;
  return decryptApiResponse(encryptedData, iv, authTag, aesKey);
}

/** Phases 2 and 5 over HTTP: the body sealed by the seed's steps, the answer opened by its helper. */
export async function seedCall(
  url: string,
  session: SeedSession,
  deviceId: string,
  data: unknown,
  method = 'POST',
): Promise<{ status: number; body: any; raw: string }> {
  const { body, aesKey } = encryptPayload(data, session.publicKey);
  const response = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${session.token}`,
      'x-device-id': deviceId,
    },
    body: JSON.stringify(body),
  });
  const raw = await response.text();
  const parsed = JSON.parse(raw);
  if (parsed.encryptedData === undefined) return { status: response.status, body: parsed, raw };
  return { status: response.status, body: decryptApiResponse(parsed.encryptedData, parsed.iv, parsed.authTag, aesKey), raw };
}
