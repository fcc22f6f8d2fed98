import type { FastifyInstance } from 'fastify';
import { createBankApp } from './app.js';
import type { BankConfig } from './config.js';
import { type BankDatabase, openBankDatabase } from './db.js';
import { createProtection } from './protection.js';
import { loadSecrets, openKeyring } from './secrets.js';
import { seedDemoUsers } from './seed.js';
import { openStateStores } from './state-stores.js';

export interface RunningBank {
  /** `http://host:port` */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly bank: BankDatabase;
  /** What the startup lines say: where each part lives. */
  readonly uses: {
    readonly sessions: string;
    readonly database: string;
    readonly keyring: string;
    readonly secrets: string;
  };
  /** Whether this run wrote the demo users (the first run on this database). */
  readonly seeded: boolean;
  close(): Promise<void>;
}

/** Opens every part the config names, seeds the demo users on first run, and listens. */
export async function startBank(
  config: BankConfig,
  options: { logger?: boolean | { level: string } } = {},
): Promise<RunningBank> {
  const clock = config.clock ?? Date.now;
  const loaded = await loadSecrets(config.dataDir);
  const { keyring, description: keyringDescription } = openKeyring(config.dataDir, config.masterKeys);
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const bank = await openBankDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      schema: config.databaseSchema,
      keyring,
    });
    closers.push(() => bank.close());
    const stores = await openStateStores(
      config.redisUrl,
      config.redisPrefix,
      Buffer.from(loaded.secrets.storeKey, 'base64url'),
      config.clock,
    );
    closers.push(() => stores.close());
    const protection = await createProtection({
      secrets: loaded.secrets,
      stores,
      sessionTtlMs: config.sessionTtlMs,
      loginTtlMs: config.loginTtlMs,
      clock: config.clock,
    });
    closers.push(() => protection.close());
    const seeded = await seedDemoUsers(bank, clock());
    const app = await createBankApp({
      bank,
      protection,
      webDir: config.webDir,
      loginTtlMs: config.loginTtlMs,
      clock,
      logger: options.logger ?? false,
    });
    closers.push(() => app.close());
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}`,
      app,
      bank,
      uses: {
        sessions: stores.description,
        database: bank.description,
        keyring: keyringDescription,
        secrets: `${loaded.path}${loaded.created ? ' (created now)' : ''}`,
      },
      seeded,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
