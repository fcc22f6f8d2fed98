/**
 * Runs in Chromium, bundled with esbuild: the page uses @cipherlayer/client
 * (Web Crypto) against the server that served it, as a web app would, and
 * returns what it got back for the test to check.
 */
import { type ClientMode, createClient, type WireEncoding } from '@cipherlayer/client';

export interface Got {
  status: number;
  contentType: string | null;
  body: unknown;
}

export interface BankRun {
  created: Got;
  balance: Got;
  missing: Got;
  invalid: Got;
}

const read = async (response: Response): Promise<Got> => ({
  status: response.status,
  contentType: response.headers.get('content-type'),
  body: await response.json(),
});

async function run(
  mode: ClientMode,
  encoding: WireEncoding,
  transfer: { to: string; memo: string },
  token: string,
): Promise<BankRun> {
  const api = createClient({ baseUrl: location.origin, mode, encoding });
  const post = (amount: unknown) =>
    api('/api/transfer', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...transfer, amount }),
    });
  const created = await read(await post(125.5));
  const balance = await read(await api('/api/balance', { headers: { authorization: `Bearer ${token}` } }));
  const missing = await read(await api('/api/accounts/7'));
  const invalid = await read(await post('lots'));
  await api.logout();
  return { created, balance, missing, invalid };
}

(globalThis as Record<string, unknown>).bankPage = { run };
