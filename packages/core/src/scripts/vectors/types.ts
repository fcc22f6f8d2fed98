import type { RequestBinding } from '../../cl1/binding.js';
import type { JsonMessage } from '../../cl1/json.js';
import type { ReplayWindowState, WindowVerdict } from '../../cl1/replay-window.js';
import type { DiscoveryDocument, PrivateKeySetDocument } from '../../keys/key-set.js';
import type { ErrorCode } from '../../lib/errors.js';
import type { RandomDraw } from './scripted-backend.js';
import type { Hexed, HpkeSetupTrace, KeyPairTrace, ResponseKeyTrace, SessionKeyTrace } from './trace.js';

/**
 * The shapes of the files in spec/vectors (described in spec/vectors/README.md).
 * Byte strings are lowercase hex unless a member says otherwise.
 */
export interface VectorFile<T> {
  readonly description: string;
  readonly vectors: readonly T[];
}

export interface SuiteIds {
  readonly name: 'X25519' | 'P-256';
  readonly kem: number;
  readonly kdf: number;
  readonly aead: number;
}

export interface ServerKeyRef {
  readonly keyId: number;
  readonly privateKey: string;
  readonly publicKey: string;
}

export interface RequestSection {
  readonly binding: RequestBinding;
  readonly bindingBytes: string;
  readonly keyId: number;
  readonly timestamp: number;
  readonly requestId: string;
  readonly contentType: string;
  readonly plaintext: string;
  readonly header: string;
  readonly hpke: Hexed<HpkeSetupTrace>;
  readonly aad: string;
  /** The AEAD nonce of the request: base_nonce XOR I2OSP(0, Nn), that is base_nonce. */
  readonly nonce: string;
  readonly ciphertext: string;
  readonly message: string;
  readonly json: JsonMessage;
}

export interface ResponseSection {
  readonly status: number;
  readonly contentType: string;
  readonly plaintext: string;
  readonly header: string;
  readonly keys: Hexed<ResponseKeyTrace>;
  readonly aad: string;
  readonly ciphertext: string;
  readonly message: string;
  readonly json: JsonMessage;
}

export interface StatelessVector {
  readonly name: string;
  readonly suite: SuiteIds;
  readonly serverKey: ServerKeyRef;
  readonly clientTime: number;
  readonly serverTime: number;
  readonly maxSkewMs: number;
  readonly random: { readonly client: readonly RandomDraw[]; readonly server: readonly RandomDraw[] };
  readonly request: RequestSection;
  readonly response: ResponseSection;
}

export interface GrantSection {
  readonly sessionId: string;
  readonly expiresAt: number;
  readonly maxMessages: number;
  readonly serverPublicKey: string;
  readonly bytes: string;
}

export interface HandshakeVector extends Omit<StatelessVector, 'request' | 'response'> {
  readonly session: { readonly ttlMs: number; readonly maxMessages: number; readonly windowSize: number };
  readonly clientEphemeral: Hexed<KeyPairTrace>;
  readonly serverEphemeral: Hexed<KeyPairTrace>;
  readonly request: RequestSection;
  readonly grant: GrantSection;
  readonly response: ResponseSection;
  readonly sessionKeys: Hexed<SessionKeyTrace>;
}

export interface SessionMessageSection {
  readonly contentType: string;
  readonly plaintext: string;
  readonly header: string;
  readonly aad: string;
  readonly nonce: string;
  readonly ciphertext: string;
  readonly message: string;
  readonly json: JsonMessage;
}

export interface SessionExchange {
  readonly counter: number;
  readonly request: SessionMessageSection & {
    readonly binding: RequestBinding;
    readonly bindingBytes: string;
  };
  readonly response: SessionMessageSection & { readonly status: number };
}

export interface SessionVector {
  readonly name: string;
  readonly suite: SuiteIds;
  /** The handshake vector that established this session. */
  readonly handshake: string;
  readonly serverTime: number;
  readonly sessionId: string;
  readonly expiresAt: number;
  readonly maxMessages: number;
  readonly windowSize: number;
  readonly keys: {
    readonly c2sKey: string;
    readonly c2sIv: string;
    readonly s2cKey: string;
    readonly s2cIv: string;
  };
  readonly exchanges: readonly SessionExchange[];
}

export interface KeyEntry {
  readonly keyId: number;
  readonly suite: SuiteIds;
  readonly ikm: string;
  readonly privateKey: string;
  readonly publicKey: string;
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly spki: string;
  readonly pin: string;
  readonly keyConfig: string;
}

export type SelectionOutcome = { readonly keyId: number } | { readonly error: ErrorCode };

export interface SelectionCase {
  readonly name: string;
  readonly now: number;
  readonly suites?: readonly SuiteIds['name'][];
  readonly pins?: readonly string[];
  readonly expect: SelectionOutcome;
}

export interface KeysVector {
  readonly name: string;
  readonly now: number;
  readonly keys: readonly KeyEntry[];
  readonly privateKeySet: PrivateKeySetDocument;
  readonly discovery: DiscoveryDocument;
  readonly ohttpKeys: string;
  readonly selection: readonly SelectionCase[];
}

export interface WindowStep {
  readonly counter: number;
  readonly verdict: WindowVerdict;
  readonly state: ReplayWindowState;
}

export interface ReplayWindowVector {
  readonly name: string;
  readonly size: number;
  readonly initial: ReplayWindowState;
  readonly steps: readonly WindowStep[];
}

export interface BindingVector {
  readonly name: string;
  readonly binding: RequestBinding;
  readonly bytes?: string;
  readonly error?: ErrorCode;
}

export interface StatusVector {
  readonly status: number;
  readonly bytes?: string;
  readonly error?: ErrorCode;
}

export type Receiver =
  | 'server.openRequest'
  | 'server.handshake'
  | 'client.openResponse'
  | 'client.finishHandshake'
  | 'client.openSessionResponse'
  | 'json.decode';

/** A message the server accepts before the one under test (to set up a replay). */
export interface PriorMessage {
  readonly message: string;
  readonly binding: RequestBinding;
}

export interface NegativeVector {
  readonly name: string;
  readonly receiver: Receiver;
  /** "stateless/<suite>", "handshake/<suite>" or "session/<suite>": whose keys or state the receiver holds. */
  readonly base?: string;
  readonly serverTime?: number;
  readonly maxBodyBytes?: number;
  readonly binding?: RequestBinding;
  readonly status?: number;
  readonly counter?: number;
  readonly revoked?: boolean;
  readonly before?: readonly PriorMessage[];
  readonly message?: string;
  readonly json?: unknown;
  readonly error: { readonly code: ErrorCode; readonly status: number };
}
