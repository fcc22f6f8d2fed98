import { CipherlayerError } from '@cipherlayer/core';
import type { Request, Response } from 'express';
import type { ErrorReply } from '../../engine/errors.js';
import { readBody } from '../../io/node-body.js';
import { refuseSealed } from './sealing-response.js';
import { sendErrorReply } from './send.js';

/** Whoever logs and answers a refusal: the engine, or the profile of a profile-only route. */
export interface Refuser {
  reject(error: unknown, requestId: string | undefined): ErrorReply;
}

export function requestIdOf(req: Request): string | undefined {
  const id = (req as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

/** Answers cipherlayer's plaintext error, bypassing the sealing of an opened request's response. */
export function refuse(refuser: Refuser, req: Request, res: Response, error: unknown): void {
  const reply = refuser.reject(error, requestIdOf(req));
  if (!refuseSealed(res, reply)) sendErrorReply(res, reply);
}

/** The body, unless a parser mounted before cipherlayer already consumed it into a Buffer or string. */
export function readWire(req: Request, limit: number): Promise<Uint8Array> {
  if (!req.readableEnded) return readBody(req, req.headers['content-length'], limit);
  const body: unknown = req.body;
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.isBuffer(body) ? body : undefined;
  if (bytes === undefined) {
    const detail = 'the request body was consumed before cipherlayer: mount cipherlayer before body parsers';
    return Promise.reject(new CipherlayerError('ERR_INTERNAL', { cause: new Error(detail) }));
  }
  if (bytes.length > limit) return Promise.reject(new CipherlayerError('ERR_TOO_LARGE'));
  return Promise.resolve(bytes);
}
