import { ClientProtocol } from '../../cl1/client.js';
import { labels } from '../../cl1/labels.js';
import { ServerProtocol } from '../../cl1/server.js';
import type { ServerKeySet } from '../../keys/key-set.js';
import type { CryptoBackend } from '../../lib/backend.js';
import { fromHex, utf8 } from '../../lib/bytes.js';
import { CLIENT_TIME, MAX_SKEW_MS, SERVER_TIME, STATELESS_EXCHANGE, type SuiteFixture } from './fixtures.js';
import { serverKeyRef, suiteIds } from './keys.js';
import { scriptedBackend } from './scripted-backend.js';
import { requestSection, responseSection } from './sections.js';
import { assertSame } from './trace.js';
import type { StatelessVector } from './types.js';

export function drawValue(draws: readonly { purpose: string; value: string }[], purpose: string): Uint8Array {
  const draw = draws.find((d) => d.purpose === purpose);
  if (draw === undefined) throw new Error(`no scripted draw for ${purpose}`);
  return fromHex(draw.value);
}

/** A stateless request and its response, through ClientProtocol and ServerProtocol. */
export async function statelessVector(
  base: CryptoBackend,
  keySet: ServerKeySet,
  fixture: SuiteFixture,
): Promise<StatelessVector> {
  const { binding, request, status, response } = STATELESS_EXCHANGE;
  const clientRandom = scriptedBackend(base, fixture.stateless.client);
  const serverRandom = scriptedBackend(base, fixture.stateless.server);
  const server = new ServerProtocol({
    backend: serverRandom.backend,
    keys: keySet,
    clock: () => SERVER_TIME,
    maxSkewMs: MAX_SKEW_MS,
  });
  const client = await ClientProtocol.create({
    backend: clientRandom.backend,
    discovery: await server.discovery(),
    clock: () => CLIENT_TIME,
    suites: [fixture.suite],
  });
  if (client.key.keyId !== fixture.keyId) throw new Error('vector self-check failed: selected key');

  const requestBody = utf8(request.body);
  const sealed = await client.sealRequest(binding, { contentType: request.contentType, body: requestBody });
  const opened = await server.openRequest(sealed.message, binding);
  assertSame('server opens the request', opened.body, requestBody);
  const responseBody = utf8(response.body);
  const responseMessage = await opened.sealResponse({
    status,
    contentType: response.contentType,
    body: responseBody,
  });
  assertSame(
    'client opens the response',
    (await sealed.openResponse(responseMessage, status)).body,
    responseBody,
  );
  clientRandom.assertDone();
  serverRandom.assertDone();

  const key = keySet.lookup(fixture.keyId, SERVER_TIME);
  const { section, hpke } = await requestSection(base, {
    suite: fixture.suite,
    recipientPublicKey: key.publicKey,
    ephemeralIkm: drawValue(fixture.stateless.client, 'hpkeEphemeralIkm'),
    label: labels.request,
    binding,
    plaintext: requestBody,
    message: sealed.message,
  });
  return {
    name: fixture.name,
    suite: suiteIds(fixture.suite),
    serverKey: serverKeyRef(key),
    clientTime: CLIENT_TIME,
    serverTime: SERVER_TIME,
    maxSkewMs: MAX_SKEW_MS,
    random: { client: fixture.stateless.client, server: fixture.stateless.server },
    request: section,
    response: await responseSection(base, {
      suite: fixture.suite,
      hpke,
      label: labels.response,
      status,
      plaintext: responseBody,
      message: responseMessage,
    }),
  };
}
