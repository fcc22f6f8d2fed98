import { CipherlayerError } from '@cipherlayer/core';

/** A developer's mistake found when a profile is created; `detail` says what to change. */
export function configError(detail: string): CipherlayerError {
  return new CipherlayerError('ERR_CONFIG', { detail });
}

/** Unknown option names are errors: a misspelt name must never switch a protection off silently. */
export function checkKnown(options: unknown, known: readonly string[], where: string): void {
  if (typeof options !== 'object' || options === null)
    throw configError(`${where}: options must be an object`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key))
      throw configError(`${where}: unknown option "${key}"; known: ${known.join(', ')}`);
  }
}

export function integerOption(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw configError(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

export function functionOption<T>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw configError(`${name} must be a function`);
  return value;
}

export function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw configError(`${name} must be true or false`);
  return value;
}

/** A header name as adapters hand it over: lower case. */
export function headerOption(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(value))
    throw configError(`${name} must be an HTTP header name`);
  return value.toLowerCase();
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
