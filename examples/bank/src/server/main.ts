/**
 * `npm start`: the demo bank on embedded defaults (in-memory sessions,
 * PGlite in examples/bank/.data, a local keyring made on the first run), or
 * on Redis and PostgreSQL with REDIS_URL and DATABASE_URL.
 */
import { fileURLToPath } from 'node:url';
import { configFromEnvironment } from './config.js';
import { DEMO_USERS } from './seed.js';
import { startBank } from './start.js';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const config = configFromEnvironment(process.env, packageDir);
const running = await startBank(config, {
  logger: process.env.BANK_LOG === undefined ? false : { level: process.env.BANK_LOG },
});

const lines = [
  '',
  `cipherlayer demo bank: ${running.url}`,
  '',
  `  sessions  ${running.uses.sessions}`,
  `  database  ${running.uses.database}${running.seeded ? ' (demo users written now)' : ''}`,
  `  keyring   ${running.uses.keyring}`,
  `  secrets   ${running.uses.secrets}`,
  '',
  '  demo logins:',
  ...DEMO_USERS.map((user) => `    ${user.username.padEnd(6)} / ${user.password}`),
  '',
  '  The wire inspector beside the app shows what crosses the network for each call.',
  '  Ctrl-C stops the server.',
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
