import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCipherlayer } from '@cipherlayer/server';
import { cipherlayer } from '@cipherlayer/server/express';
import express, { type Request, type Response } from 'express';
import {
  type Answer,
  account,
  attributesFrom,
  balance,
  type RunningServer,
  type Seen,
  type ServerSetup,
  transfer,
} from '../bank.js';

export async function startExpress(setup: ServerSetup): Promise<RunningServer> {
  const { state, files = {} } = setup;
  const engine = createCipherlayer<Request>({
    ...setup.engine,
    keys: setup.keys,
    logger: setup.logs,
    sessionAttributes: (req) => attributesFrom(setup.bindTo ?? [], (name) => req.get(name)),
  });
  const seen: Seen[] = [];
  const send = (res: Response, answer: Answer) => res.status(answer.status).json(answer.json);

  const app = express();
  app.use(cipherlayer(engine, { policy: (req) => (req.path in files ? 'off' : 'require') }));
  app.use(express.json());
  for (const [path, file] of Object.entries(files)) {
    app.get(path, (_req, res) => res.type(file.contentType).send(file.body));
  }
  app.post('/api/transfer', (req, res) => {
    seen.push({ route: 'transfer', body: req.body });
    send(res, transfer(state, req.body));
  });
  app.get('/api/balance', (_req, res) => {
    seen.push({ route: 'balance', body: undefined });
    send(res, balance(state));
  });
  app.get('/api/accounts/:id', (_req, res) => {
    seen.push({ route: 'account', body: undefined });
    send(res, account(state));
  });

  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    adapter: 'express',
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    engine,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
