import { randomUUID } from 'node:crypto';
import { fromBase64Url, type ServerKeySet, toBase64, toBase64Url, toHex } from '@cipherlayer/core';

/**
 * Values that must never be seen outside the client and the app: each
 * one is unique to a test, so finding it anywhere is proof of a leak and
 * never a coincidence.
 */
export function secretValues<const Name extends string>(...names: Name[]): Record<Name, string> {
  const out = {} as Record<Name, string>;
  for (const name of names) out[name] = `${name.toUpperCase()}-${randomUUID()}`;
  return out;
}

/** The forms a byte string takes in text: hex, base64 and base64url. */
export function textForms(bytes: Uint8Array): string[] {
  return [toHex(bytes), toBase64(bytes), toBase64Url(bytes)];
}

/** The private halves of a key set, in every form they could be logged in. */
export function privateKeyForms(keys: ServerKeySet): string[] {
  return keys.keys.flatMap((key) => {
    const { d } = key.toPrivateJwk();
    return [d, ...textForms(fromBase64Url(d))];
  });
}
