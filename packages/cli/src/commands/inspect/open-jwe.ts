import { CONTENT_ENCRYPTION, JweKeySet, KEY_MANAGEMENT } from '@cipherlayer/profiles/jwe';
import { compactDecrypt } from 'jose';
import { inputError } from '../../lib/cli-error.js';
import type { OpenedEnvelope } from './opened-envelope.js';
import type { SeedEnvelope } from './seed-envelopes.js';
import { cannotDecrypt, describeKeyObject, type SeedKey, wrongKeyType } from './seed-key-file.js';

const allowed = (list: readonly string[], value: unknown): value is string =>
  typeof value === 'string' && list.includes(value);

/**
 * Seed 004's compact JWE, opened with `jose` under the jwe profile's
 * allowlists (every algorithm the profile can be configured to accept, and
 * nothing it refuses: no dir, PBES2, RSA1_5, symmetric key wrap, zip or crit).
 */
export async function openJwe(
  envelope: Extract<SeedEnvelope, { format: 'jwe' }>,
  key: SeedKey,
  path: string,
): Promise<OpenedEnvelope> {
  const { alg, enc, zip, crit, cty } = envelope.header;
  if (!allowed(KEY_MANAGEMENT, alg))
    throw inputError(
      `this JWE's alg ${JSON.stringify(alg)} is not one the jwe profile accepts (${KEY_MANAGEMENT.join(', ')})`,
    );
  if (!allowed(CONTENT_ENCRYPTION, enc))
    throw inputError(
      `this JWE's enc ${JSON.stringify(enc)} is not one the jwe profile accepts (${CONTENT_ENCRYPTION.join(', ')})`,
    );
  if (zip !== undefined || crit !== undefined)
    throw inputError('this JWE has a zip or crit header, which the jwe profile refuses');
  const rsa = alg.startsWith('RSA-');
  const curve = (envelope.header.epk as { crv?: unknown } | undefined)?.crv;
  const needs = `this JWE (${alg}) opens with ${rsa ? 'an RSA' : `an ECDH ${typeof curve === 'string' ? curve : ''}`.trimEnd()} private key (PKCS#8 PEM or JWK)`;
  if (key.kind !== 'private') wrongKeyType('--key', path, key, needs);
  // The profile's own reading of a server key: accepted types and sizes, and its kid (the RFC 7638 thumbprint).
  const [server] = (await JweKeySet.from([{ privateKey: key.key, ...(key.kid ? { kid: key.kid } : {}) }]))
    .keys;
  if (server === undefined) throw inputError(`--key ${path} holds no key`);
  if (server.type !== (rsa ? 'RSA' : 'ECDH') || (!rsa && curve !== undefined && server.crv !== curve))
    wrongKeyType('--key', path, key, needs);
  try {
    const { plaintext } = await compactDecrypt(envelope.token, server.privateKey, {
      keyManagementAlgorithms: [alg],
      contentEncryptionAlgorithms: [...CONTENT_ENCRYPTION],
    });
    return {
      plaintext,
      contentType: typeof cty === 'string' ? cty : '',
      openedWith: { key: describeKeyObject(server.privateKey), kid: server.kid, alg, enc },
    };
  } catch (cause) {
    cannotDecrypt(cause);
  }
}
