import {
  isCipherlayerError,
  MessageType,
  type OpenedStatelessRequest,
  ServerProtocol,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { failure, usageError } from '../../lib/cli-error.js';
import { readKeySetFile } from '../keys/key-set-file.js';

const CANNOT: Record<number, string> = {
  [MessageType.Response]:
    "a response opens only with its request's HPKE context, which lives in the client's memory; a key file cannot open it",
  [MessageType.HandshakeRequest]:
    "a handshake's plaintext is the client's ephemeral public key, and opening it here would start no session; --key decrypts stateless requests",
  [MessageType.HandshakeResponse]:
    "a handshake response opens only with the handshake's HPKE context, held by the client",
  [MessageType.SessionRequest]:
    'session messages are sealed with session keys from the handshake, which only the client and the session store hold; --key cannot decrypt them',
  [MessageType.SessionResponse]:
    'session messages are sealed with session keys from the handshake, which only the client and the session store hold; --key cannot decrypt them',
};

export interface Decrypted {
  readonly contentType: string;
  readonly body: Uint8Array;
  readonly keyId: number;
}

/**
 * Opens a stateless request with a private key set, for debugging. The
 * server's checks run as they would have at the message's own timestamp
 * (so an old capture is not "stale"); the replay cache is a fresh one.
 */
export async function decryptRequest(
  bytes: Uint8Array,
  keyFile: string,
  binding: { method: string; target: string },
): Promise<Decrypted> {
  const type = bytes[1] ?? 0;
  if (type !== MessageType.Request)
    throw usageError(`cannot decrypt this message: ${CANNOT[type] ?? 'unknown type'}`);
  const { set } = await readKeySetFile(keyFile);
  const timestamp = Number(Buffer.from(bytes.subarray(9, 17)).readBigUInt64BE());
  const server = new ServerProtocol({ backend: nodeBackend, keys: set, clock: () => timestamp });
  let opened: OpenedStatelessRequest;
  try {
    opened = (await server.openRequest(bytes, binding)) as OpenedStatelessRequest;
  } catch (error) {
    const code = isCipherlayerError(error) ? error.code : 'ERR_INTERNAL';
    const keyId = bytes[2];
    const why: Record<string, string> = {
      ERR_DECRYPT:
        'decryption operation failed: another key, another --method or --target than sent, or an altered message',
      ERR_UNKNOWN_KEY: `key id ${keyId} is not in ${keyFile}`,
      ERR_KEY_EXPIRED: `key ${keyId} in ${keyFile} was not valid at the message's timestamp`,
      ERR_SUITE_NOT_ALLOWED: `key ${keyId} in ${keyFile} is of another suite than the message`,
      ERR_MALFORMED: 'malformed message, or an invalid --method or --target',
    };
    throw failure(code, why[code] ?? (error as Error).message, error);
  }
  return { contentType: opened.contentType, body: opened.body, keyId: opened.keyId };
}
