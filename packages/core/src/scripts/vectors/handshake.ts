import { ClientProtocol, type ClientSession } from '../../cl1/client.js';
import { HANDSHAKE_STATUS } from '../../cl1/handshake.js';
import { labels } from '../../cl1/labels.js';
import { ServerProtocol } from '../../cl1/server.js';
import type { SessionKeyMaterial } from '../../cl1/session-keys.js';
import type { ServerKeySet } from '../../keys/key-set.js';
import type { CryptoBackend } from '../../lib/backend.js';
import { toHex } from '../../lib/bytes.js';
import { call, runFlow } from '../../lib/flow.js';
import { ByteWriter } from '../../lib/reader.js';
import {
  CLIENT_TIME,
  HANDSHAKE_BINDING,
  MAX_SKEW_MS,
  SERVER_TIME,
  SESSION_OPTIONS,
  type SuiteFixture,
} from './fixtures.js';
import { serverKeyRef, suiteIds } from './keys.js';
import { scriptedBackend } from './scripted-backend.js';
import { requestSection, responseSection } from './sections.js';
import { drawValue } from './stateless.js';
import { assertSame, deriveTracedKeyPair, hexAll, traceSessionKeys } from './trace.js';
import type { HandshakeVector } from './types.js';

export interface HandshakeOutcome {
  readonly vector: HandshakeVector;
  /** The server that ran the handshake: it holds the session. */
  readonly server: ServerProtocol;
  readonly session: ClientSession;
  readonly material: SessionKeyMaterial;
}

/** A handshake through ClientProtocol and ServerProtocol, then the session key schedule step by step. */
export async function handshakeVector(
  base: CryptoBackend,
  keySet: ServerKeySet,
  fixture: SuiteFixture,
): Promise<HandshakeOutcome> {
  const { suite } = fixture;
  const clientRandom = scriptedBackend(base, fixture.handshake.client);
  const serverRandom = scriptedBackend(base, fixture.handshake.server);
  const server = new ServerProtocol({
    backend: serverRandom.backend,
    keys: keySet,
    clock: () => SERVER_TIME,
    maxSkewMs: MAX_SKEW_MS,
    session: SESSION_OPTIONS,
  });
  const client = await ClientProtocol.create({
    backend: clientRandom.backend,
    discovery: await server.discovery(),
    clock: () => CLIENT_TIME,
    suites: [suite],
  });
  const hello = await client.startHandshake(HANDSHAKE_BINDING);
  const accepted = await server.handshake(hello.message, HANDSHAKE_BINDING);
  const session = await hello.finish(accepted.response, HANDSHAKE_STATUS);
  clientRandom.assertDone();
  serverRandom.assertDone();
  const stored = await server.sessions.load(accepted.sessionId);
  const record = typeof stored === 'object' ? stored.record : stored;
  if (record === undefined || record === 'revoked')
    throw new Error('vector self-check failed: session saved');

  const clientEphemeral = await runFlow(
    base,
    deriveTracedKeyPair(suite, drawValue(fixture.handshake.client, 'clientEphemeralIkm')),
  );
  const serverEphemeral = await runFlow(
    base,
    deriveTracedKeyPair(suite, drawValue(fixture.handshake.server, 'serverEphemeralIkm')),
  );
  const key = keySet.lookup(fixture.keyId, SERVER_TIME);
  const { section, hpke } = await requestSection(base, {
    suite,
    recipientPublicKey: key.publicKey,
    ephemeralIkm: drawValue(fixture.handshake.client, 'hpkeEphemeralIkm'),
    label: labels.handshakeRequest,
    binding: HANDSHAKE_BINDING,
    plaintext: clientEphemeral.trace.publicKey,
    message: hello.message,
  });
  const sessionId = drawValue(fixture.handshake.server, 'sessionId');
  const grantBytes = new ByteWriter()
    .bytes(sessionId)
    .u64(accepted.expiresAt)
    .u32(SESSION_OPTIONS.maxMessages)
    .bytes(serverEphemeral.trace.publicKey)
    .finish();
  const response = await responseSection(base, {
    suite,
    hpke,
    label: labels.handshakeResponse,
    status: HANDSHAKE_STATUS,
    plaintext: grantBytes,
    message: accepted.response,
  });

  const dh = await runFlow(
    base,
    call((b) => b.dh(suite.kem.curve, serverEphemeral.pair.privateKey, clientEphemeral.trace.publicKey)),
  );
  const clientDh = await runFlow(
    base,
    call((b) => b.dh(suite.kem.curve, clientEphemeral.pair.privateKey, serverEphemeral.trace.publicKey)),
  );
  assertSame('both sides compute one DH', clientDh, dh);
  const sessionKeys = await runFlow(
    base,
    traceSessionKeys({
      suite,
      exporterSecret: hpke.exporterSecret,
      dh,
      sessionId,
      clientPublicKey: clientEphemeral.trace.publicKey,
      serverPublicKey: serverEphemeral.trace.publicKey,
    }),
  );
  const material = record.material;
  assertSame('session id', material.sessionId, sessionId);
  assertSame('c2s key', material.c2sKey, sessionKeys.c2sKey);
  assertSame('c2s iv', material.c2sIv, sessionKeys.c2sIv);
  assertSame('s2c key', material.s2cKey, sessionKeys.s2cKey);
  assertSame('s2c iv', material.s2cIv, sessionKeys.s2cIv);

  const vector: HandshakeVector = {
    name: fixture.name,
    suite: suiteIds(suite),
    serverKey: serverKeyRef(key),
    clientTime: CLIENT_TIME,
    serverTime: SERVER_TIME,
    maxSkewMs: MAX_SKEW_MS,
    session: { ...SESSION_OPTIONS },
    random: { client: fixture.handshake.client, server: fixture.handshake.server },
    clientEphemeral: hexAll(clientEphemeral.trace),
    serverEphemeral: hexAll(serverEphemeral.trace),
    request: section,
    grant: {
      sessionId: toHex(sessionId),
      expiresAt: accepted.expiresAt,
      maxMessages: SESSION_OPTIONS.maxMessages,
      serverPublicKey: toHex(serverEphemeral.trace.publicKey),
      bytes: toHex(grantBytes),
    },
    response,
    sessionKeys: hexAll(sessionKeys),
  };
  return { vector, server, session, material };
}
