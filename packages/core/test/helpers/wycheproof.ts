import { expect } from 'vitest';
import { CipherlayerError, type ErrorCode } from '../../src/lib/errors.js';
import { readSharedJson } from './shared.js';

/**
 * Reading and accounting for the Wycheproof files in ../shared/vectors/wycheproof.
 * Each test file sorts a file's vectors into categories (what our API must
 * do with them); `expectPartition` then proves that no vector was dropped on
 * the way and no category is empty, so a suite cannot pass vacuously.
 */
export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

export interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: WycheproofResult;
}

export interface WycheproofFile<G extends { readonly tests: readonly WycheproofTest[] }> {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly notes: Readonly<Record<string, { readonly bugType: string; readonly description: string }>>;
  readonly testGroups: readonly G[];
}

/** A test together with the parameters of its group (key, iv and tag sizes, curve...). */
export type InGroup<G extends { readonly tests: readonly WycheproofTest[] }> = G['tests'][number] & {
  readonly group: Omit<G, 'tests'>;
};

export interface LoadedWycheproof<G extends { readonly tests: readonly WycheproofTest[] }> {
  readonly file: WycheproofFile<G>;
  readonly tests: readonly InGroup<G>[];
}

/** Reads a file and flattens its groups; a count that disagrees with the header means a damaged copy. */
export function loadWycheproof<G extends { readonly tests: readonly WycheproofTest[] }>(
  name: string,
): LoadedWycheproof<G> {
  const file = readSharedJson<WycheproofFile<G>>('vectors', 'wycheproof', name);
  const tests = file.testGroups.flatMap(({ tests: groupTests, ...group }) =>
    groupTests.map((t) => ({ ...t, group }) as InGroup<G>),
  );
  if (tests.length !== file.numberOfTests) {
    throw new Error(`${name}: ${tests.length} tests, header says ${file.numberOfTests}`);
  }
  return { file, tests };
}

/** Names a vector in assertion messages. */
export function label(t: WycheproofTest): string {
  return `tcId ${t.tcId}${t.comment ? ` (${t.comment})` : ''}`;
}

/**
 * Every vector falls in exactly one category and none is empty: nothing is
 * silently filtered out, and no category test can pass on zero vectors.
 */
export function expectPartition(
  all: readonly WycheproofTest[],
  categories: Readonly<Record<string, readonly WycheproofTest[]>>,
): void {
  for (const [name, list] of Object.entries(categories)) {
    expect(list.length, `category "${name}" is empty`).toBeGreaterThan(0);
  }
  const ids = Object.values(categories).flatMap((list) => list.map((t) => t.tcId));
  expect(new Set(ids).size, 'a vector sits in two categories').toBe(ids.length);
  expect(ids.length, 'some vectors are in no category').toBe(all.length);
}

export type Settled<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

/** Runs `fn` (sync or async) and reports how it ended, for vectors where either outcome is allowed. */
export async function settle<T>(fn: () => T | Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Asserts that `fn` fails with a CipherlayerError whose code is one of
 * `codes`: a TypeError or an OpenSSL error escaping the backend would fail.
 */
export async function expectRejected(
  fn: () => unknown,
  codes: readonly ErrorCode[],
  message: string,
): Promise<void> {
  const outcome = await settle(fn);
  expect(outcome.ok, `${message}: accepted`).toBe(false);
  if (outcome.ok) return;
  expectCipherlayerError(outcome.error, codes, message);
}

export function expectCipherlayerError(error: unknown, codes: readonly ErrorCode[], message: string): void {
  expect(error, `${message}: not a CipherlayerError`).toBeInstanceOf(CipherlayerError);
  expect(codes, `${message}: unexpected code`).toContain((error as CipherlayerError).code);
}
