import { CipherlayerError } from '@cipherlayer/core';
import type { Profile } from '../../engine/profile.js';
import type { Protection } from '../../engine/protections.js';
import {
  type CheckedWebOptions,
  checkWebOptions,
  isCl1Request,
  policyFor,
  serveOwnResources,
  type WebCipherlayerOptions,
} from './handler.js';
import { admitWebRequest, type Engine, exchangeOf } from './open-request.js';
import { admitProfileWebRequest, getCipherlayerProfile, sealProfileWebResponse } from './profile-request.js';
import { errorResponse, targetOf } from './responses.js';
import { sealWebResponse, withPlaintextVary } from './seal-response.js';

/**
 * The part of Hono's Context the middleware uses; Hono's own Context fits
 * it, so this package does not depend on Hono's types.
 */
export interface HonoContextLike {
  req: { raw: Request };
  res: Response | undefined;
}

export type HonoMiddleware = (c: HonoContextLike, next: () => Promise<void>) => Promise<Response | undefined>;

/**
 * Hono middleware: the Request handlers see (`c.req.raw`, `c.req.json()`,
 * validators) is the plaintext one, and `c.res` is sealed on the way out.
 *
 * ```ts
 * app.use(cipherlayerHono(engine));                              // every route: require
 * app.get('/public', cipherlayerHono(engine, { policy: 'optional' }), handler);
 * ```
 */
export function cipherlayerHono(
  protection: Protection<Request> | readonly Protection<Request>[],
  options: WebCipherlayerOptions = {},
): HonoMiddleware {
  const checked = checkWebOptions(protection, options, 'cipherlayerHono');
  return async function cipherlayerMiddleware(c, next) {
    const request = c.req.raw;
    const nested = openedBefore(checked, request);
    if (nested !== undefined) {
      // Opened by an outer cipherlayer middleware, which also seals the answer.
      if (nested) {
        await next();
        return undefined;
      }
      const refuser = (checked.engine ?? checked.profile) as Pick<Engine, 'reject'>;
      return errorResponse(refuser.reject(new CipherlayerError('ERR_PLAINTEXT_REJECTED'), undefined));
    }
    const target = targetOf(request.url);
    const own = await serveOwnResources(checked, request, target);
    if (own !== undefined) return own;
    const policy = policyFor(checked.policy, request);
    if (policy === 'off') {
      await next();
      return undefined;
    }
    if (!isCl1Request(checked, request)) return await profileRoute(checked, policy, c, next, target);
    const engine = checked.engine as Engine;
    const entry = await admitWebRequest(engine, policy, request, target);
    if (entry instanceof Response) return entry;
    if (entry === 'pass') {
      await next();
      if (c.res !== undefined) withPlaintextVary(c.res);
      return undefined;
    }
    c.req.raw = entry.request;
    await next();
    const sealed = await sealWebResponse(
      engine,
      entry.exchange,
      c.res ?? new Response(null, { status: 404 }),
    );
    // Unset first: Hono would merge the app's headers (its Content-Length among them) back in.
    c.res = undefined;
    c.res = sealed;
    return undefined;
  };
}

/** Undefined when no outer middleware opened the request; else whether this one accepts what did. */
function openedBefore(checked: CheckedWebOptions, request: Request): boolean | undefined {
  if (exchangeOf(request) !== undefined) return checked.engine !== undefined;
  const byProfile = getCipherlayerProfile(request);
  if (byProfile === undefined) return undefined;
  return checked.profile?.name === byProfile.profile;
}

async function profileRoute(
  checked: CheckedWebOptions,
  policy: 'require' | 'optional',
  c: HonoContextLike,
  next: () => Promise<void>,
  target: string,
): Promise<Response | undefined> {
  const profile = checked.profile as Profile<Request>;
  const entry = await admitProfileWebRequest(profile, policy, c.req.raw, target);
  if (entry instanceof Response) return entry;
  if ('pass' in entry) {
    c.req.raw = entry.pass;
    await next();
    if (c.res !== undefined) withPlaintextVary(c.res, profile.vary);
    return undefined;
  }
  c.req.raw = entry.request;
  await next();
  const sealed = await sealProfileWebResponse(
    profile,
    entry.exchange,
    c.res ?? new Response(null, { status: 404 }),
  );
  c.res = undefined;
  c.res = sealed;
  return undefined;
}
