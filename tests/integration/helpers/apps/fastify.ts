import { createCipherlayer } from '@cipherlayer/server';
import { cipherlayerFastify } from '@cipherlayer/server/fastify';
import Fastify, { type FastifyRequest } from 'fastify';
import {
  account,
  attributesFrom,
  balance,
  type RunningServer,
  type Seen,
  type ServerSetup,
  transfer,
} from '../bank.js';

export async function startFastify(setup: ServerSetup): Promise<RunningServer> {
  const { state, files = {} } = setup;
  // The framework's own logger at its most verbose, handed to cipherlayer as the README shows.
  const app = Fastify({ logger: { level: 'trace', stream: setup.logs.stream } });
  const engine = createCipherlayer<FastifyRequest>({
    ...setup.engine,
    keys: setup.keys,
    logger: app.log,
    sessionAttributes: (request) =>
      attributesFrom(setup.bindTo ?? [], (name) => request.headers[name] as string | undefined),
  });
  const seen: Seen[] = [];

  await app.register(cipherlayerFastify, { cipherlayer: engine });
  for (const [path, file] of Object.entries(files)) {
    app.get(path, { config: { cipherlayer: 'off' } }, async (_request, reply) =>
      reply.type(file.contentType).send(file.body),
    );
  }
  app.post('/api/transfer', async (request, reply) => {
    seen.push({ route: 'transfer', body: request.body });
    const answer = transfer(state, request.body);
    return reply.code(answer.status).send(answer.json);
  });
  app.get('/api/balance', async (_request, reply) => {
    seen.push({ route: 'balance', body: undefined });
    const answer = balance(state);
    return reply.code(answer.status).send(answer.json);
  });
  app.get('/api/accounts/:id', async (_request, reply) => {
    seen.push({ route: 'account', body: undefined });
    const answer = account(state);
    return reply.code(answer.status).send(answer.json);
  });

  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  return { adapter: 'fastify', origin, engine, seen, close: () => app.close() };
}
