import { CipherlayerError } from '@cipherlayer/core';
import { CommandGuard, type RedisClient } from './redis-client.js';

/** Options both stores take besides their own. */
export interface RedisStoreOptions {
  /** Prefix of every key the store writes. Default `cipherlayer:`; must not contain `{` or `}`. */
  prefix?: string;
  /** How long a command may take before the request fails with ERR_STORE_UNAVAILABLE. Default 1000 ms. */
  timeoutMs?: number;
  /** The ServerProtocol's clock (ms). Default `Date.now`. */
  clock?: () => number;
}

export const DEFAULT_PREFIX = 'cipherlayer:';
export const DEFAULT_TIMEOUT_MS = 1000;

export function configError(detail: string): CipherlayerError {
  return new CipherlayerError('ERR_CONFIG', { detail });
}

export function checkInteger(value: number, name: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min)
    throw configError(`${name} must be an integer of at least ${min}`);
  return value;
}

/** A misspelt option would otherwise be ignored silently (and its default used). */
export function checkKnownOptions(options: object, names: readonly string[], store: string): void {
  if (typeof options !== 'object' || options === null)
    throw configError(`${store} options must be an object`);
  for (const name of Object.keys(options))
    if (!names.includes(name))
      throw configError(`${store} has no option "${name}" (known: ${names.join(', ')})`);
}

function checkClient(client: unknown, store: string): RedisClient {
  const candidate = client as Partial<RedisClient> | null | undefined;
  if (typeof candidate?.evalsha !== 'function' || typeof candidate.status !== 'string')
    throw configError(`${store} needs an ioredis client (new Redis(...)) or Cluster as its first argument`);
  return candidate as RedisClient;
}

function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string') throw configError('prefix must be a string');
  // A brace in the prefix would become the hash tag of every key: one cluster slot for everything.
  if (prefix.includes('{') || prefix.includes('}')) throw configError('prefix must not contain "{" or "}"');
  return prefix;
}

export interface CommonOptions {
  guard: CommandGuard;
  prefix: string;
  clock: () => number;
}

export function commonOptions(client: unknown, options: RedisStoreOptions, store: string): CommonOptions {
  const timeoutMs = checkInteger(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs', 1);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw configError('clock must be a function returning milliseconds');
  return {
    guard: new CommandGuard(checkClient(client, store), timeoutMs),
    prefix: checkPrefix(options.prefix ?? DEFAULT_PREFIX),
    clock,
  };
}
