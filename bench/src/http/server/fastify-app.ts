import { createSecretKey } from 'node:crypto';
import { generateServerKey, runFlow, ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { createCipherlayer } from '@cipherlayer/server';
import { cipherlayerFastify } from '@cipherlayer/server/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { DOCUMENT, ECHO_PATH, GET_PATH } from '../document.js';
import { floorOpen, floorSeal } from '../schemes/floor.js';
import { decodeJwe, importJwePrivateKey } from '../schemes/jwe.js';
import { checkSeedKey, encrypt, seedKey } from '../schemes/seed002.js';
import { benchProfile, isProfileScheme } from './profiles.js';
import { BODY_LIMIT_BYTES, JWE_HEADER, type ServerSpec } from './spec.js';

/**
 * The Fastify 5 app of each scheme: the same two routes (GET the 1 KiB
 * document, POST echo), logger off, and the scheme's hooks, written the way
 * the cheapest correct code for it would be (callback hooks, no promise)
 * except where the scheme itself is asynchronous (jose).
 */

/** Resolves once the scheme has no background work pending (the rsa-session pool refilled). */
export type Settle = () => Promise<void>;

const idle: Settle = () => Promise.resolve();

async function addScheme(app: FastifyInstance, spec: ServerSpec): Promise<Settle> {
  if (isProfileScheme(spec.scheme)) {
    const { profile, settle } = await benchProfile<FastifyRequest>(spec);
    // The profile on every route (policy `require`), its endpoints (rsa-session's) where well-known resources go.
    await app.register(cipherlayerFastify, { profiles: [profile] });
    return settle;
  }
  switch (spec.scheme) {
    case 'plaintext':
      return idle;
    case 'floor': {
      // One AES-256-GCM seal of the serialised answer, sent as a Buffer; POST bodies opened likewise.
      const key = createSecretKey(Buffer.from(process.env.AES_KEY as string, 'hex'));
      app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) => {
        try {
          done(null, JSON.parse(floorOpen(key, body as Buffer).toString('utf8')));
        } catch (error) {
          done(error as Error, undefined);
        }
      });
      app.addHook('onSend', (_request, _reply, payload, done) => {
        done(null, typeof payload === 'string' ? floorSeal(key, payload) : payload);
      });
      return idle;
    }
    case 'seed002':
      // The natural port of the seed's res.json wrapper: wrap the object before Fastify serialises it.
      checkSeedKey();
      app.addHook('preSerialization', (_request, _reply, payload, done) => {
        const aesKey = seedKey();
        done(null, { data: encrypt(payload, aesKey) });
      });
      return idle;
    case 'cl1': {
      const keys = new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 1 }))]);
      await app.register(cipherlayerFastify, { cipherlayer: createCipherlayer<FastifyRequest>({ keys }) });
      return idle;
    }
    case 'jwe': {
      const key = await importJwePrivateKey(spec.jwePrivateKey as string);
      app.decorateRequest('jwePayload', null);
      app.addHook('preHandler', async (request, reply) => {
        try {
          (request as FastifyRequest & { jwePayload: unknown }).jwePayload = await decodeJwe(
            String(request.headers[JWE_HEADER]),
            key,
          );
        } catch {
          // As the seed: an invalid payload is 422.
          return reply.code(422).send({ error: 'Invalid encrypted payload' });
        }
      });
      return idle;
    }
    default:
      throw new Error(`no Fastify app for scheme ${spec.scheme}`);
  }
}

export async function fastifyApp(spec: ServerSpec): Promise<{ app: FastifyInstance; settle: Settle }> {
  // A 1 MiB document in any envelope fits; the same limit for every scheme.
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });
  const settle = await addScheme(app, spec);
  app.get(GET_PATH, (_request, reply) => {
    reply.send(DOCUMENT);
  });
  app.post(ECHO_PATH, (request, reply) => {
    reply.send(request.body);
  });
  await app.ready();
  return { app, settle };
}
