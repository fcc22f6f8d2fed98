const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a JSON envelope whose members are exactly `fields`, each a string:
 * the envelope's members, or null when the body is anything else (other
 * JSON, not JSON at all), which makes the request plaintext to the profile.
 * Exactly: an envelope with one more member is not the envelope, so a
 * client cannot smuggle plaintext next to a ciphertext.
 */
export function readEnvelope<F extends string>(
  body: Uint8Array,
  fields: readonly F[],
): Record<F, string> | null {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  if (keys.length !== fields.length) return null;
  for (const field of fields) {
    if (typeof (value as Record<string, unknown>)[field] !== 'string') return null;
  }
  return value as Record<F, string>;
}

/** `application/json` and any `+json` media type, parameters ignored. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const media = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json');
}
