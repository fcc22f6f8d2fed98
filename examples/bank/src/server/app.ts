import { cipherlayerFastify, type RouteCipherlayer } from '@cipherlayer/server/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  authenticate,
  clearedLoginCookieHeader,
  createLogin,
  endLogin,
  loginCookie,
  loginCookieHeader,
  loginId,
  userOfLogin,
} from './auth.js';
import type { BankDatabase } from './db.js';
import { listAccounts, readProfile, statement, transfer, updateProfile } from './ledger.js';
import { type Protection, SEED_PROFILES } from './protection.js';
import { BankProblem, parseLogin, parseProfile, parseTransfer } from './validation.js';
import { registerWebFiles } from './web-files.js';

export interface BankServices {
  readonly bank: BankDatabase;
  readonly protection: Protection;
  readonly webDir: string;
  readonly loginTtlMs: number;
  readonly clock: () => number;
  /** Fastify's logger (pino options), or false. */
  readonly logger: boolean | { level: string };
}

/**
 * The bank's HTTP API. Every /api route but the health check requires cl1
 * (the plugin's default policy): the handlers below read decrypted bodies
 * and return plain objects, and the plugin seals each answer. The data
 * routes are also mounted under /api/via/<profile> for the seed profiles,
 * so the page can compare what each puts on the wire.
 */
export async function createBankApp(services: BankServices): Promise<FastifyInstance> {
  const { bank, protection, clock } = services;
  const app = Fastify({ logger: services.logger });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof BankProblem) return reply.code(error.status).send(error.toJSON());
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500)
      return reply
        .code(status)
        .send({ problem: 'The request could not be read. Reload the page and try again.' });
    request.log.error(
      { err: { name: (error as Error).name, code: (error as { code?: unknown }).code } },
      'bank error',
    );
    return reply.code(500).send({ problem: 'Something went wrong on our side. Try again in a moment.' });
  });

  await app.register(cipherlayerFastify, { cipherlayer: protection.engine, profiles: protection.profiles });
  registerWebFiles(app, services.webDir);

  // Plaintext on purpose: the page polls it to see that the server is back after a restart.
  app.get('/api/health', { config: { cipherlayer: 'off' } }, async () => ({ up: true }));

  async function signedInUser(request: FastifyRequest): Promise<string> {
    const token = loginCookie(request.headers.cookie);
    const userId = token === undefined ? undefined : await userOfLogin(bank, token, clock());
    if (userId === undefined) throw new BankProblem(401, 'Please sign in.');
    return userId;
  }

  app.post('/api/login', async (request, reply) => {
    const input = parseLogin(request.body);
    const user = await authenticate(bank, input.username, input.password);
    if (user === undefined) throw new BankProblem(401, 'Wrong username or password.', 'password');
    const login = await createLogin(bank, user.id, clock(), services.loginTtlMs);
    // From now on this cl1 session only works with this login's cookie.
    if (request.cipherlayer?.kind === 'session') await request.cipherlayer.bindSession({ login: login.id });
    // static-key (seed 002's mitigation): a per-login key, wrapped under a key derived from the password.
    const staticKeyGrant = await protection.staticKeys.grant({ keyId: login.id, password: input.password });
    reply.header('set-cookie', loginCookieHeader(login.token, login.expiresAt, request.protocol === 'https'));
    return { name: user.fullName, staticKeyGrant };
  });

  app.post('/api/logout', async (request, reply) => {
    const token = loginCookie(request.headers.cookie);
    if (token !== undefined) {
      await endLogin(bank, token);
      await protection.staticKeys.revoke(loginId(token));
    }
    reply.header('set-cookie', clearedLoginCookieHeader(request.protocol === 'https'));
    if (request.cipherlayer?.kind === 'session') await request.cipherlayer.revokeSession();
    return { signedOut: true };
  });

  app.get('/api/me', async (request) => {
    const profile = await readProfile(bank, await signedInUser(request));
    return { name: profile.fullName, username: profile.username };
  });

  const mountData = (prefix: string, cipherlayer: RouteCipherlayer | undefined) => {
    const config = cipherlayer === undefined ? {} : { config: { cipherlayer } };
    app.get(`${prefix}/accounts`, config, async (request) => ({
      accounts: await listAccounts(bank, await signedInUser(request)),
    }));
    app.get<{ Params: { id: string } }>(`${prefix}/accounts/:id/statement`, config, async (request) =>
      statement(bank, await signedInUser(request), request.params.id),
    );
    app.post(`${prefix}/transfers`, config, async (request, reply) => {
      const userId = await signedInUser(request);
      const done = await transfer(bank, userId, parseTransfer(request.body), clock());
      return reply.code(201).send({ transfer: done });
    });
    app.get(`${prefix}/profile`, config, async (request) => ({
      profile: await readProfile(bank, await signedInUser(request)),
    }));
    app.put(`${prefix}/profile`, config, async (request) => ({
      profile: await updateProfile(bank, await signedInUser(request), parseProfile(request.body)),
    }));
  };
  mountData('/api', undefined);
  for (const profile of SEED_PROFILES) mountData(`/api/via/${profile}`, { profile });

  return app;
}
