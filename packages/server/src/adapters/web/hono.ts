import { checkWebOptions, policyFor, type WebCipherlayerOptions } from './handler.js';
import { admitWebRequest, type Engine, exchangeOf } from './open-request.js';
import { targetOf } from './responses.js';
import { sealWebResponse, withPlaintextVary } from './seal-response.js';
import { serveWellKnown } from './well-known.js';

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
export function cipherlayerHono(engine: Engine, options: WebCipherlayerOptions = {}): HonoMiddleware {
  const checked = checkWebOptions(engine, options, 'cipherlayerHono');
  return async function cipherlayerMiddleware(c, next) {
    const request = c.req.raw;
    if (exchangeOf(request) !== undefined) {
      // Opened by an outer cipherlayer middleware, which also seals the answer.
      await next();
      return undefined;
    }
    const target = targetOf(request.url);
    if (checked.wellKnown) {
      const resource = engine.wellKnown(target);
      const answer =
        resource === undefined ? undefined : await serveWellKnown(engine, resource, request, target);
      if (answer !== undefined) return answer;
    }
    const policy = policyFor(checked.policy, request);
    if (policy === 'off') {
      await next();
      return undefined;
    }
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
