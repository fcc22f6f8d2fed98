import { finishHandshake } from '../../cl1/handshake.js';
import { fromJsonMessage } from '../../cl1/json.js';
import { labels } from '../../cl1/labels.js';
import { MessageType, parseEncapsulatedRequest, parseSessionResponse } from '../../cl1/messages.js';
import { ServerProtocol } from '../../cl1/server.js';
import { openSessionResponse } from '../../cl1/session.js';
import { importSessionKeys } from '../../cl1/session-keys.js';
import { openEncapsulatedResponse, type PendingResponse } from '../../cl1/stateless.js';
import { setupBaseSender } from '../../hpke/context.js';
import { importPrivateKey } from '../../hpke/kem.js';
import { hpkeSuite, type Suite } from '../../hpke/suites.js';
import type { ServerKeySet } from '../../keys/key-set.js';
import type { CryptoBackend } from '../../lib/backend.js';
import { fromHex } from '../../lib/bytes.js';
import { type ErrorCode, isCipherlayerError } from '../../lib/errors.js';
import { runFlow } from '../../lib/flow.js';
import { requestInfo } from '../../ohttp/encapsulation.js';
import { MemorySessionStore } from '../../state/session-store.js';
import { MAX_SKEW_MS, SESSION_OPTIONS } from './fixtures.js';
import { constantRandomness } from './scripted-backend.js';
import type {
  HandshakeVector,
  NegativeVector,
  RequestSection,
  SessionVector,
  StatelessVector,
  SuiteIds,
} from './types.js';

/** The positive vectors whose keys and state the receivers of negative vectors hold. */
export interface ReceiverContext {
  readonly backend: CryptoBackend;
  readonly keySet: ServerKeySet;
  readonly vectors: ReadonlyMap<string, StatelessVector | HandshakeVector | SessionVector>;
}

export type NegativeInput = Omit<NegativeVector, 'error'>;

function baseVector<T>(context: ReceiverContext, name: string | undefined): T {
  const vector = name === undefined ? undefined : context.vectors.get(name);
  if (vector === undefined) throw new Error(`negative vector without a known base: ${name}`);
  return vector as T;
}

const suiteOf = (ids: SuiteIds): Suite => hpkeSuite(ids.kem, ids.kdf, ids.aead);

/** The client's state after sealing a recorded request: its HPKE context, rebuilt from the ephemeral key. */
async function pendingFor(
  backend: CryptoBackend,
  suite: Suite,
  serverPublicKey: string,
  request: RequestSection,
  type: PendingResponse['responseType'],
): Promise<PendingResponse> {
  const ephemeral = await runFlow(
    backend,
    importPrivateKey(suite.kem, fromHex(request.hpke.ephemeralPrivateKey)),
  );
  const label = type === MessageType.Response ? labels.request : labels.handshakeRequest;
  const header = parseEncapsulatedRequest(fromHex(request.message)).header;
  const { enc, context } = await runFlow(
    backend,
    setupBaseSender(suite, fromHex(serverPublicKey), requestInfo(label, header), ephemeral),
  );
  return { responseType: type, context, enc, requestId: fromHex(request.requestId) };
}

async function serverReceives(context: ReceiverContext, input: NegativeInput): Promise<void> {
  const clock = () => input.serverTime as number;
  const sessions = new MemorySessionStore({ clock });
  if (input.base?.startsWith('session/')) {
    const session = baseVector<SessionVector>(context, input.base);
    sessions.save(
      {
        material: {
          sessionId: fromHex(session.sessionId),
          suite: suiteOf(session.suite),
          c2sKey: fromHex(session.keys.c2sKey),
          c2sIv: fromHex(session.keys.c2sIv),
          s2cKey: fromHex(session.keys.s2cKey),
          s2cIv: fromHex(session.keys.s2cIv),
        },
        createdAt: session.serverTime,
        expiresAt: session.expiresAt,
        maxMessages: session.maxMessages,
        attributes: {},
      },
      session.windowSize,
    );
    if (input.revoked) sessions.revoke(fromHex(session.sessionId));
  }
  const server = new ServerProtocol({
    backend: constantRandomness(context.backend),
    keys: context.keySet,
    clock,
    maxSkewMs: MAX_SKEW_MS,
    sessions,
    session: SESSION_OPTIONS,
    ...(input.maxBodyBytes === undefined ? {} : { maxBodyBytes: input.maxBodyBytes }),
  });
  const receive = (message: string, binding = input.binding) => {
    if (binding === undefined) throw new Error('server receiver without a binding');
    return input.receiver === 'server.handshake'
      ? server.handshake(fromHex(message), binding)
      : server.openRequest(fromHex(message), binding);
  };
  for (const prior of input.before ?? []) await receive(prior.message, prior.binding);
  await receive(input.message as string);
}

/** Runs a negative vector's receiver; resolves if it accepts, rejects with its error otherwise. */
export async function receive(context: ReceiverContext, input: NegativeInput): Promise<void> {
  const { backend } = context;
  const message = input.message === undefined ? new Uint8Array(0) : fromHex(input.message);
  switch (input.receiver) {
    case 'server.openRequest':
    case 'server.handshake':
      return serverReceives(context, input);
    case 'client.openResponse': {
      const vector = baseVector<StatelessVector>(context, input.base);
      const suite = suiteOf(vector.suite);
      const pending = await pendingFor(
        backend,
        suite,
        vector.serverKey.publicKey,
        vector.request,
        MessageType.Response,
      );
      await runFlow(backend, openEncapsulatedResponse(pending, message, input.status as number));
      return;
    }
    case 'client.finishHandshake': {
      const vector = baseVector<HandshakeVector>(context, input.base);
      const suite = suiteOf(vector.suite);
      const pending = await pendingFor(
        backend,
        suite,
        vector.serverKey.publicKey,
        vector.request,
        MessageType.HandshakeResponse,
      );
      const ephemeral = await runFlow(
        backend,
        importPrivateKey(suite.kem, fromHex(vector.clientEphemeral.privateKey)),
      );
      await runFlow(backend, finishHandshake({ pending, ephemeral, suite }, message, input.status as number));
      return;
    }
    case 'client.openSessionResponse': {
      const vector = baseVector<SessionVector>(context, input.base);
      const keys = await runFlow(
        backend,
        importSessionKeys({
          sessionId: fromHex(vector.sessionId),
          suite: suiteOf(vector.suite),
          c2sKey: fromHex(vector.keys.c2sKey),
          c2sIv: fromHex(vector.keys.c2sIv),
          s2cKey: fromHex(vector.keys.s2cKey),
          s2cIv: fromHex(vector.keys.s2cIv),
        }),
      );
      const parsed = parseSessionResponse(message);
      await runFlow(
        backend,
        openSessionResponse(keys, parsed, input.counter as number, input.status as number),
      );
      return;
    }
    case 'json.decode':
      fromJsonMessage(input.json);
      return;
  }
}

/** The error code a receiver answers with, or 'accepted'. */
export async function outcomeOf(
  context: ReceiverContext,
  input: NegativeInput,
): Promise<ErrorCode | 'accepted'> {
  try {
    await receive(context, input);
    return 'accepted';
  } catch (error) {
    if (isCipherlayerError(error)) return error.code;
    throw error;
  }
}
