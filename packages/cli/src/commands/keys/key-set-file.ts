import {
  importServerKeySet,
  isCipherlayerError,
  type PrivateKeySetDocument,
  runFlow,
  type ServerKeySet,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { inputError } from '../../lib/cli-error.js';
import { readPrivateInput } from '../../lib/files.js';

const SHAPE =
  'a cl1 key set is JSON { "keys": [ private JWKs with "d" and "hpke" ] }, as cipherlayer keys generate writes it';

export function isKeySetDocument(value: unknown): value is PrivateKeySetDocument {
  const keys = (value as { keys?: unknown } | null)?.keys;
  return (
    Array.isArray(keys) &&
    keys.length > 0 &&
    keys.every((k) => typeof k === 'object' && k !== null && 'd' in k && 'hpke' in k)
  );
}

/** Parses and imports a key set document; `source` names it in errors. */
export function importKeySet(document: unknown, source: string): ServerKeySet {
  if (!isKeySetDocument(document)) throw inputError(`${source} is not a cl1 key set: ${SHAPE}`);
  try {
    return runFlow(nodeBackend, importServerKeySet(document));
  } catch (error) {
    const why = isCipherlayerError(error) ? error.message : 'it cannot be imported';
    throw inputError(`${source}: ${why}`, error);
  }
}

/** Reads a private cl1 key set file: permissions, JSON, shape, then every key imported. */
export async function readKeySetFile(
  path: string,
): Promise<{ document: PrivateKeySetDocument; set: ServerKeySet }> {
  const text = (await readPrivateInput(path, 'key file')).toString('utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw inputError(`key file ${path} is not JSON (${SHAPE})`, error);
  }
  const set = importKeySet(document, `key file ${path}`);
  return { document: document as PrivateKeySetDocument, set };
}
