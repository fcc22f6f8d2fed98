/**
 * @cipherlayer/core: the cl1 protocol and what client and server share.
 * Backends are separate entry points: `@cipherlayer/core/node` and
 * `@cipherlayer/core/webcrypto`.
 */
export type { RequestBinding } from './cl1/binding.js';
export { encodeBinding } from './cl1/binding.js';
export {
  ClientProtocol,
  type ClientProtocolOptions,
  ClientSession,
  type OpenedResponse,
  type RequestParts,
  type SealedClientRequest,
} from './cl1/client.js';
export { HANDSHAKE_STATUS, type SessionGrant } from './cl1/handshake.js';
export { fromJsonMessage, type JsonMessage, parseJsonMessage, toJsonMessage } from './cl1/json.js';
export { DEFAULT_MAX_BODY_BYTES, type Limits, maxJsonMessageLength, maxMessageBytes } from './cl1/limits.js';
export { CL1_MAGIC, type Cl1Message, MessageType, messageTypeOf } from './cl1/messages.js';
export {
  DEFAULT_WINDOW_SIZE,
  ReplayWindow,
  type ReplayWindowState,
  type WindowVerdict,
} from './cl1/replay-window.js';
export {
  type HandshakeResult,
  type OpenedRequest,
  type OpenedSessionRequest,
  type OpenedStatelessRequest,
  type RequestContext,
  type ResponseParts,
  ServerProtocol,
  type ServerProtocolOptions,
  type SessionOptions,
} from './cl1/server.js';
export type { SessionKeyMaterial } from './cl1/session-keys.js';
export type { ServerPublicKey } from './cl1/stateless.js';
export {
  AeadId,
  hpkeSuite,
  KdfId,
  KemId,
  P256_SHA256_AES256GCM,
  type Suite,
  X25519_SHA256_AES256GCM,
} from './hpke/suites.js';
export {
  type DiscoveryDocument,
  importServerKeySet,
  type PrivateKeySetDocument,
  ServerKeySet,
} from './keys/key-set.js';
export { PIN_PREFIX, publicKeyPin, subjectPublicKeyInfo } from './keys/pin.js';
export { DEFAULT_SUITES, type PublishedKey, readDiscoveryKeys, selectServerKey } from './keys/select.js';
export {
  generateServerKey,
  importServerKey,
  type PrivateKeyJwk,
  type PublicKeyJwk,
  ServerKey,
  type ServerKeyOptions,
} from './keys/server-key.js';
export type { AeadKey, CryptoBackend, DhKeyPair, DhPrivateKey, SyncCryptoBackend } from './lib/backend.js';
export { type Bytes, fromBase64, fromBase64Url, fromHex, toBase64, toBase64Url, toHex } from './lib/bytes.js';
export { CipherlayerError, type ErrorCode, errorRegistry, isCipherlayerError } from './lib/errors.js';
export { type Flow, type Outcome, runFlow } from './lib/flow.js';
export {
  decodeKeyConfig,
  decodeKeyConfigList,
  encodeKeyConfig,
  encodeKeyConfigList,
  type KeyConfig,
} from './ohttp/key-config.js';
export { MemoryReplayCache, type MemoryReplayCacheOptions, type ReplayCache } from './state/replay-cache.js';
export {
  EXPIRED_GRACE_MS,
  MemorySessionStore,
  type MemorySessionStoreOptions,
  type SessionRecord,
  type SessionStore,
  type StoredSession,
} from './state/session-store.js';
