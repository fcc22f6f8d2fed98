import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';

/**
 * With CIPHERLAYER_REQUIRE_SERVICES=1 (set by .ci/run), the run stops before
 * any test when a service or the shared vectors are missing, with one clear
 * message. Without it, each test that needs a service still fails on its own:
 * nothing is ever skipped.
 */
function probe(port: number, send: string | undefined, expect: RegExp | undefined): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(2000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => {
      if (send === undefined) return finish(true);
      socket.write(send);
      socket.once('data', (data) => finish(expect?.test(data.toString()) ?? true));
    });
  });
}

export default async function setup(): Promise<void> {
  if (process.env.CIPHERLAYER_REQUIRE_SERVICES !== '1') return;
  const missing: string[] = [];
  const shared = process.env.CIPHERLAYER_SHARED ?? resolve(process.cwd(), '../shared');
  if (!existsSync(resolve(shared, 'vectors'))) missing.push(`shared vectors at ${shared}/vectors`);
  if (!existsSync('/usr/bin/chromium'))
    missing.push('Chromium at /usr/bin/chromium (Debian package chromium)');
  if (!(await probe(6379, 'PING\r\n', /PONG/))) missing.push('Redis on 127.0.0.1:6379');
  if (!(await probe(5432, undefined, undefined))) missing.push('PostgreSQL on 127.0.0.1:5432');
  if (missing.length > 0) {
    throw new Error(`required for the test run but missing: ${missing.join('; ')} (run scripts/services.sh)`);
  }
}
