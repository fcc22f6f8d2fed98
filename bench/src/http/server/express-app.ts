import { createSecretKey, type KeyObject } from 'node:crypto';
import { generateServerKey, runFlow, ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { createCipherlayer } from '@cipherlayer/server';
import { cipherlayer } from '@cipherlayer/server/express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { DOCUMENT, ECHO_PATH, GET_PATH } from '../document.js';
import { floorOpen, floorSeal } from '../schemes/floor.js';
import { decodeJwe, importJwePrivateKey } from '../schemes/jwe.js';
import { checkSeedKey, encrypt, seedKey } from '../schemes/seed002.js';
import type { Settle } from './fastify-app.js';
import { benchProfile, isProfileScheme } from './profiles.js';
import { BODY_LIMIT_BYTES, JWE_HEADER, type ServerSpec } from './spec.js';

/**
 * The Express 5 app of each scheme: the same two routes as on Fastify,
 * Express's defaults otherwise (weak ETags, X-Powered-By) for every scheme
 * alike, and the scheme as a middleware in front of them.
 */

function floorKey() {
  return createSecretKey(Buffer.from(process.env.AES_KEY as string, 'hex'));
}

/** One AES-256-GCM seal of the JSON, sent as a Buffer: the res.json wrapper and nothing else. */
function floorMiddleware(key: KeyObject): express.RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.json = (data: unknown) => res.send(floorSeal(key, JSON.stringify(data)));
    next();
  };
}

/** The POST floor's body parser: the raw body, opened with one AES-256-GCM call, then JSON.parse. */
function floorBodyParser(key: KeyObject): express.RequestHandler {
  const raw = express.raw({ type: 'application/octet-stream', limit: BODY_LIMIT_BYTES });
  return (req: Request, res: Response, next: NextFunction) => {
    raw(req, res, (error?: unknown) => {
      if (error !== undefined) return next(error);
      try {
        req.body = JSON.parse(floorOpen(key, req.body as Buffer).toString('utf8'));
        next();
      } catch (cause) {
        next(cause);
      }
    });
  };
}

// Seed 002's middleware, as its article writes it (types added).
function encryptResponse(_req: Request, res: Response, next: NextFunction) {
  const originalJson = res.json.bind(res);
  res.json = (data: unknown) => {
    const aesKey = seedKey();
    return originalJson({ data: encrypt(data, aesKey) });
  };
  next();
}

async function jweMiddleware(pem: string): Promise<express.RequestHandler> {
  const key = await importJwePrivateKey(pem);
  return (req: Request, res: Response, next: NextFunction) => {
    decodeJwe(String(req.headers[JWE_HEADER]), key).then(
      (payload) => {
        (req as Request & { jwePayload?: unknown }).jwePayload = payload;
        next();
      },
      // As the seed: an invalid payload is 422.
      () => res.status(422).json({ error: 'Invalid encrypted payload' }),
    );
  };
}

export async function expressApp(spec: ServerSpec): Promise<{ app: Express; settle: Settle }> {
  const app = express();
  // A 1 MiB document fits; the same limit for every scheme.
  let bodyParser: express.RequestHandler = express.json({ limit: BODY_LIMIT_BYTES });
  let settle: Settle = () => Promise.resolve();
  if (isProfileScheme(spec.scheme)) {
    const profile = await benchProfile<Request>(spec);
    app.use(cipherlayer(profile.profile));
    settle = profile.settle;
  }
  switch (spec.scheme) {
    case 'plaintext':
      break;
    case 'floor': {
      const key = floorKey();
      app.use(floorMiddleware(key));
      bodyParser = floorBodyParser(key);
      break;
    }
    case 'seed002':
      checkSeedKey();
      app.use(encryptResponse);
      break;
    case 'cl1': {
      const keys = new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 1 }))]);
      app.use(cipherlayer(createCipherlayer<Request>({ keys })));
      break;
    }
    case 'jwe':
      app.use(await jweMiddleware(spec.jwePrivateKey as string));
      break;
    default:
      // A profile, mounted above.
      break;
  }
  app.get(GET_PATH, (_req, res) => {
    res.json(DOCUMENT);
  });
  app.post(ECHO_PATH, bodyParser, (req, res) => {
    res.json(req.body);
  });
  return { app, settle };
}
