import { CipherlayerError } from '@cipherlayer/core';

/**
 * Option checks, run once when a server, agent or guard is created. Each
 * failure is ERR_CONFIG with words that say which option and what to change;
 * never a key or a certificate's content.
 */

export function configError(detail: string, cause?: unknown): CipherlayerError {
  return new CipherlayerError('ERR_CONFIG', cause === undefined ? { detail } : { detail, cause });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses keys the option type does not know, so a typo (or an unsafe extra) never passes silently. */
export function onlyKnownKeys(where: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      throw configError(`${where}: unknown option "${key}"; the options are ${known.join(', ')}`);
  }
}

export function optionsObject(where: string, value: unknown, example: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw configError(`${where} needs an options object: ${example}`);
  return value;
}

export function integerInRange(where: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw configError(`${where} must be an integer from ${min} to ${max}`);
  return value;
}

export function booleanOption(where: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw configError(`${where} must be true or false`);
  return value;
}

export function stringList(where: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0))
    throw configError(`${where} must be a list of non-empty strings`);
  return [...value];
}

/** Whether this process says it is production, the way Node.js ecosystems do. */
export function isProductionEnvironment(): boolean {
  return process.env.NODE_ENV === 'production';
}
