import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CipherlayerError } from '@cipherlayer/core';
import { configError } from '../lib/options.js';

/**
 * Master keys (KEKs) for the local keyring, as text: entries "id:base64url"
 * (32 bytes each) separated by commas or newlines, the current one first;
 * blank lines and lines starting with "#" are ignored in files. Keeping old
 * entries after the current one is what lets KEK rotation re-wrap keys that
 * the old KEK wrapped.
 */

export interface LocalKek {
  readonly id: string;
  readonly key: Uint8Array;
}

const KEK_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function checkKek(where: string, kek: LocalKek): void {
  if (typeof kek.id !== 'string' || !KEK_ID.test(kek.id))
    throw configError(`${where}: a KEK id must be 1 to 64 letters, digits, ".", "_" or "-"`);
  if (!(kek.key instanceof Uint8Array) || kek.key.length !== 32)
    throw configError(
      `${where}: KEK ${kek.id} must be 32 bytes (generate one with LocalKeyring.generateKeyEntry())`,
    );
  if (kek.key.every((b) => b === 0))
    throw configError(`${where}: KEK ${kek.id} is all zeros; generate a random one`);
}

export function parseKeyList(where: string, text: string): LocalKek[] {
  const entries = text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  if (entries.length === 0)
    throw configError(
      `${where} holds no key: write "id:base64url" entries (LocalKeyring.generateKeyEntry() makes one)`,
    );
  return entries.map((entry, n) => {
    const colon = entry.indexOf(':');
    const encoded = entry.slice(colon + 1);
    if (colon <= 0 || !/^[A-Za-z0-9_-]{43}$/.test(encoded))
      throw configError(`${where}: entry ${n + 1} is not "id:base64url of 32 bytes"`);
    return { id: entry.slice(0, colon), key: new Uint8Array(Buffer.from(encoded, 'base64url')) };
  });
}

export function readKeyFile(path: string): LocalKek[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CipherlayerError('ERR_CONFIG', {
      detail: `the local keyring file ${path} cannot be read`,
      cause,
    });
  }
  return parseKeyList(`key file ${path}`, text);
}

export function readKeyVariable(name: string): LocalKek[] {
  const text = process.env[name];
  if (text === undefined || text.trim() === '')
    throw configError(`the environment variable ${name} is not set: put "id:base64url" entries in it`);
  return parseKeyList(`environment variable ${name}`, text);
}

/** A new random KEK entry for a key file or variable: "id:base64url". */
export function generateKeyEntry(id: string): string {
  checkKek('generateKeyEntry', { id, key: new Uint8Array(32).fill(1) });
  return `${id}:${randomBytes(32).toString('base64url')}`;
}
