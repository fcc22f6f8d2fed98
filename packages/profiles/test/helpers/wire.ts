/** The error code of a refusal's body. */
export function errorCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** Headers as a plain object (lower-case names), to send again or change. */
export function headerObject(
  headers: HeadersInit | undefined,
  without: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    if (!without.includes(name)) out[name] = value;
  });
  return out;
}
