import { CipherlayerError } from '@cipherlayer/core';
import { SEALED_CACHE_CONTROL } from '../../engine/http-rules.js';
import {
  declaresBody,
  MESSAGE_HEADER,
  mediaTypeFor,
  requestForm,
  responseEncoding,
} from '../../engine/media.js';
import type { WellKnownResource } from '../../engine/well-known.js';
import { checkDeclaredLength } from '../../io/node-body.js';
import { readWebBody } from '../../io/web-body.js';
import type { Engine } from './open-request.js';
import { bodyResponse, errorResponse } from './responses.js';

async function handshake(engine: Engine, request: Request, target: string): Promise<Response> {
  const form = requestForm(
    request.headers.get('content-type') ?? undefined,
    request.headers.get(MESSAGE_HEADER) ?? undefined,
  );
  if (form === 'plaintext') throw new CipherlayerError('ERR_PLAINTEXT_REJECTED');
  if (form === 'header') throw new CipherlayerError('ERR_MALFORMED');
  const limit = engine.wireLimit(form);
  checkDeclaredLength(request.headers.get('content-length') ?? undefined, limit);
  const wire = await readWebBody(request.body, limit);
  const answer = await engine.handshake(form, wire, request.method, target, request, undefined);
  return bodyResponse(mediaTypeFor(form), SEALED_CACHE_CONTROL, answer);
}

async function logout(engine: Engine, request: Request, target: string): Promise<Response> {
  const { headers } = request;
  const header = headers.get(MESSAGE_HEADER) ?? undefined;
  const form = requestForm(headers.get('content-type') ?? undefined, header);
  if (form === 'plaintext') throw new CipherlayerError('ERR_PLAINTEXT_REJECTED');
  const encoding = responseEncoding(form, headers.get('accept') ?? undefined);
  let wire: Uint8Array | string;
  if (form === 'header') {
    if (
      declaresBody(headers.get('content-length') ?? undefined, headers.get('transfer-encoding') ?? undefined)
    )
      throw new CipherlayerError('ERR_MALFORMED');
    wire = header as string;
  } else {
    const limit = engine.wireLimit(form);
    checkDeclaredLength(headers.get('content-length') ?? undefined, limit);
    wire = await readWebBody(request.body, limit);
  }
  const answer = await engine.logout(form, encoding, wire, request.method, target, request, undefined);
  return bodyResponse(mediaTypeFor(encoding), SEALED_CACHE_CONTROL, answer);
}

/** A well-known resource's answer; undefined for a method it does not serve (the app gets those). */
export async function serveWellKnown(
  engine: Engine,
  resource: WellKnownResource,
  request: Request,
  target: string,
): Promise<Response | undefined> {
  const { method } = request;
  try {
    if (resource === 'session') {
      if (method === 'POST') return await handshake(engine, request, target);
      if (method === 'DELETE') return await logout(engine, request, target);
      return undefined;
    }
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const keys = await engine.published();
    return resource === 'discovery'
      ? bodyResponse('application/json', engine.discoveryCacheControl, keys.json)
      : bodyResponse('application/ohttp-keys', engine.discoveryCacheControl, keys.ohttpKeys);
  } catch (error) {
    return errorResponse(engine.reject(error, undefined));
  }
}
