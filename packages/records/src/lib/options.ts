import { CipherlayerError } from '@cipherlayer/core';

/**
 * Option checks, run once when an object is created. Each failure is
 * ERR_CONFIG with words that say which option and what to change; never a
 * value that could be a secret.
 */

export function configError(detail: string): CipherlayerError {
  return new CipherlayerError('ERR_CONFIG', { detail });
}

/** Refuses keys that the option type does not know, so a typo never passes silently. */
export function onlyKnownKeys(where: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      throw configError(`${where}: unknown option "${key}"; the options are ${known.join(', ')}`);
  }
}

export function integerInRange(where: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw configError(`${where} must be an integer from ${min} to ${max}`);
  return value;
}

export function positiveNumber(where: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0))
    throw configError(`${where} must be a positive number (Infinity for no limit)`);
  return value;
}

export function oneOf<T extends string>(where: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw configError(`${where} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  return value as T;
}

export function nonEmptyString(where: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw configError(`${where} must be a non-empty string`);
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether this process says it is production, the way Node.js ecosystems do. */
export function isProductionEnvironment(): boolean {
  return process.env.NODE_ENV === 'production';
}
