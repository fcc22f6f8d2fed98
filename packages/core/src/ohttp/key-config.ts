import { kemParams } from '../hpke/suites.js';
import { CipherlayerError } from '../lib/errors.js';
import { ByteReader, ByteWriter } from '../lib/reader.js';

/** One HPKE KDF/AEAD pair offered by a key config. */
export interface SymmetricAlgorithm {
  readonly kdfId: number;
  readonly aeadId: number;
}

/** An RFC 9458 key configuration (section 3). */
export interface KeyConfig {
  readonly keyId: number;
  readonly kemId: number;
  readonly publicKey: Uint8Array;
  readonly algorithms: readonly SymmetricAlgorithm[];
}

export function encodeKeyConfig(config: KeyConfig): Uint8Array {
  if (!Number.isInteger(config.keyId) || config.keyId < 0 || config.keyId > 255) {
    throw new CipherlayerError('ERR_CONFIG', { detail: 'keyId must be an integer from 0 to 255' });
  }
  if (config.publicKey.length !== kemParams(config.kemId).nPk) throw new CipherlayerError('ERR_INVALID_KEY');
  if (config.algorithms.length === 0 || config.algorithms.length > 0x3fff) {
    throw new CipherlayerError('ERR_CONFIG', {
      detail: 'a key config needs at least one symmetric algorithm',
    });
  }
  const writer = new ByteWriter()
    .u8(config.keyId)
    .u16(config.kemId)
    .bytes(config.publicKey)
    .u16(4 * config.algorithms.length);
  for (const { kdfId, aeadId } of config.algorithms) writer.u16(kdfId).u16(aeadId);
  return writer.finish();
}

function readKeyConfig(reader: ByteReader): KeyConfig {
  const keyId = reader.u8();
  const kemId = reader.u16();
  // An unknown KEM makes the public key length unknowable: the config cannot be parsed.
  let nPk: number;
  try {
    nPk = kemParams(kemId).nPk;
  } catch (cause) {
    throw new CipherlayerError('ERR_MALFORMED', { cause });
  }
  const publicKey = reader.take(nPk);
  const length = reader.u16();
  if (length === 0 || length % 4 !== 0) throw new CipherlayerError('ERR_MALFORMED');
  const algorithms: SymmetricAlgorithm[] = [];
  const list = new ByteReader(reader.take(length));
  while (list.remaining > 0) algorithms.push({ kdfId: list.u16(), aeadId: list.u16() });
  return { keyId, kemId, publicKey, algorithms };
}

/** Decodes exactly one key config; trailing bytes are malformed. */
export function decodeKeyConfig(bytes: Uint8Array): KeyConfig {
  const reader = new ByteReader(bytes);
  const config = readKeyConfig(reader);
  reader.end();
  return config;
}

/** The `application/ohttp-keys` format (RFC 9458, section 3.2): each config prefixed by its u16 length. */
export function encodeKeyConfigList(configs: readonly KeyConfig[]): Uint8Array {
  const writer = new ByteWriter();
  for (const config of configs) {
    const encoded = encodeKeyConfig(config);
    writer.u16(encoded.length).bytes(encoded);
  }
  return writer.finish();
}

export function decodeKeyConfigList(bytes: Uint8Array): KeyConfig[] {
  const reader = new ByteReader(bytes);
  const configs: KeyConfig[] = [];
  while (reader.remaining > 0) configs.push(decodeKeyConfig(reader.take(reader.u16())));
  if (configs.length === 0) throw new CipherlayerError('ERR_MALFORMED');
  return configs;
}
