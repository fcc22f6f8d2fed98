import { readdirSync } from 'node:fs';
import type { ProfileRequest } from '@cipherlayer/server';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { readSharedJson, sharedPath } from '../../../core/test/helpers/shared.js';
import { CONTENT_ENCRYPTION, JweKeySet, type JweOptions, jwe, KEY_MANAGEMENT } from '../../src/jwe.js';

/**
 * RFC 7520 section 5 (JOSE cookbook, JWE), read from ../shared/vectors/jose-cookbook
 * at test time; a missing folder or file fails the run. Each compact
 * serialization goes through the profile's own open(): the ones whose
 * algorithms the profile accepts open to the RFC's plaintext under its key
 * and kid; the ones it refuses (RSA1_5, PBES2, dir, symmetric key wraps,
 * zip) are refused before any key is used, even with every algorithm the
 * profile can accept switched on. The JSON serializations (5.10 to 5.13 have
 * nothing else) are not the profile's wire format.
 */
interface Vector {
  input: { plaintext: string; key?: JWK | JWK[]; alg: string | string[]; enc: string; zip?: string };
  output: { compact?: string; json?: unknown; json_flat?: unknown };
}

const DIR = 'vectors/jose-cookbook';
const read = (file: string) => readSharedJson<Vector>(DIR, file);
const decoder = new TextDecoder();

/** Accepted: the file, and the options that accept it (none: the defaults do). */
const ACCEPTED: readonly [
  string,
  Pick<JweOptions, 'keyManagementAlgorithms' | 'contentEncryptionAlgorithms'>,
][] = [
  ['5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json', {}],
  [
    '5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json',
    { keyManagementAlgorithms: ['ECDH-ES+A128KW'], contentEncryptionAlgorithms: ['A128GCM'] },
  ],
  [
    '5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json',
    { keyManagementAlgorithms: ['RSA-OAEP'], contentEncryptionAlgorithms: ['A256GCM'] },
  ],
];
const REFUSED = [
  '5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json',
  '5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json',
  '5_6.direct_encryption_using_aes-gcm.json',
  '5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json',
  '5_8.key_wrap_using_aes-keywrap_with_aes-gcm.json',
  '5_9.compressed_content.json',
];
const JSON_ONLY = [
  '5_10.including_additional_authentication_data.json',
  '5_11.protecting_specific_header_fields.json',
  '5_12.protecting_content_only.json',
  '5_13.encrypting_to_multiple_recipients.json',
];

function view(): ProfileRequest {
  return {
    method: 'POST',
    target: '/api/transfer',
    header: (name) => (name === 'content-type' ? 'application/jose' : undefined),
    remoteAddress: '127.0.0.1',
    hasBody: true,
  };
}

async function open(options: JweOptions, wire: string) {
  return await jwe(options).open(view(), new TextEncoder().encode(wire), {}, undefined);
}

/** Every private key of the cookbook's asymmetric vectors, so a refusal cannot be for want of a key. */
async function allKeys(): Promise<JweKeySet> {
  const inputs = [...ACCEPTED.map(([file]) => file), REFUSED[0] as string].map((file) => ({
    privateKey: read(file).input.key as JWK,
    kid: (read(file).input.key as JWK).kid as string,
  }));
  return await JweKeySet.from(inputs);
}

describe('RFC 7520 JWE examples', () => {
  it('the folder holds exactly the files this test knows', () => {
    const files = readdirSync(sharedPath(DIR)).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual([...ACCEPTED.map(([file]) => file), ...REFUSED, ...JSON_ONLY].sort());
  });

  it.each(ACCEPTED)('%s opens to the RFC plaintext with its key and kid', async (file, algorithms) => {
    const vector = read(file);
    const key = vector.input.key as JWK;
    const keys = await JweKeySet.from([{ privateKey: key, kid: key.kid as string }]);
    const compact = vector.output.compact as string;
    const opened = await open({ keys, ...algorithms }, compact);
    expect(decoder.decode(opened?.body)).toBe(vector.input.plaintext);
    expect(opened?.details).toEqual({ kid: key.kid, alg: vector.input.alg, enc: vector.input.enc });
    // the RFC's answers carry no response key: the answer would go in the clear, as seed 004's
    expect(opened?.sealsResponse).toBe(false);
    // one bit of the tag changed: the generic failure
    const parts = compact.split('.');
    const tag = Buffer.from(parts[4] as string, 'base64url');
    tag.writeUInt8(tag.readUInt8(0) ^ 1, 0);
    const tampered = [...parts.slice(0, 4), tag.toString('base64url')].join('.');
    await expect(open({ keys, ...algorithms }, tampered)).rejects.toMatchObject({ code: 'ERR_DECRYPT' });
    // the flattened JSON serialization of the same message is not the profile's format
    await expect(
      open({ keys, ...algorithms }, JSON.stringify(vector.output.json_flat)),
    ).rejects.toMatchObject({
      code: 'ERR_MALFORMED',
    });
  });

  it('with the defaults, only ECDH-ES with A128CBC-HS256 (5.5) opens; 5.4 and 5.2 need their algorithms named', async () => {
    const keys = await allKeys();
    for (const [file, algorithms] of ACCEPTED) {
      const result = open({ keys }, read(file).output.compact as string);
      if (Object.keys(algorithms).length === 0) await expect(result).resolves.not.toBeNull();
      else await expect(result).rejects.toMatchObject({ code: 'ERR_SUITE_NOT_ALLOWED' });
    }
  });

  it.each(REFUSED)('%s is refused, whatever the profile is configured to accept', async (file) => {
    const vector = read(file);
    const keys = await allKeys();
    const everything = {
      keys,
      keyManagementAlgorithms: KEY_MANAGEMENT,
      contentEncryptionAlgorithms: CONTENT_ENCRYPTION,
    };
    await expect(open(everything, vector.output.compact as string)).rejects.toMatchObject({
      code: 'ERR_SUITE_NOT_ALLOWED',
    });
    const algs = Array.isArray(vector.input.alg) ? vector.input.alg : [vector.input.alg];
    // and none of these algorithms can be switched on (5.9 is refused for its zip; its A128KW too)
    for (const alg of algs)
      expect(() => jwe({ keys, keyManagementAlgorithms: [alg] })).toThrow(
        expect.objectContaining({ code: 'ERR_CONFIG' }),
      );
  });

  it.each(JSON_ONLY)(
    '%s (JSON serialization only) is not a compact JWE: refused as malformed',
    async (file) => {
      const vector = read(file);
      const keys = await allKeys();
      for (const serialization of [vector.output.json, vector.output.json_flat].filter(
        (s) => s !== undefined,
      ))
        await expect(open({ keys }, JSON.stringify(serialization))).rejects.toMatchObject({
          code: 'ERR_MALFORMED',
        });
    },
  );
});
