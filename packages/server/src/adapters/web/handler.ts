import { Cipherlayer } from '../../engine/cipherlayer.js';
import { configError } from '../../engine/errors.js';
import type { CipherlayerExchange } from '../../engine/exchange.js';
import { checkPolicy, isPolicy, type Policy, type PolicyChoice } from '../../engine/policy.js';
import { admitWebRequest, type Engine, exchangeOf } from './open-request.js';
import { targetOf } from './responses.js';
import { sealWebResponse, withPlaintextVary } from './seal-response.js';
import { serveWellKnown } from './well-known.js';

export interface WebCipherlayerOptions {
  /** `require` (default), `optional`, `off`, or a function of the Request returning one of them. */
  policy?: PolicyChoice<Request>;
  /** Serve the well-known resources. Default true. */
  wellKnown?: boolean;
}

export interface CheckedWebOptions {
  readonly policy: PolicyChoice<Request>;
  readonly wellKnown: boolean;
}

const OPTION_NAMES: readonly string[] = ['policy', 'wellKnown'];

/** Checks the engine and options once, when a handler or middleware is created. */
export function checkWebOptions(
  engine: Engine,
  options: WebCipherlayerOptions,
  name: string,
): CheckedWebOptions {
  if (!(engine instanceof Cipherlayer))
    throw configError(`${name}(engine): pass what createCipherlayer() returned`);
  if (typeof options !== 'object' || options === null)
    throw configError(`${name}: options must be an object`);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key))
      throw configError(`${name}: unknown option "${key}"; known: ${OPTION_NAMES.join(', ')}`);
  }
  const wellKnown = options.wellKnown ?? true;
  if (typeof wellKnown !== 'boolean') throw configError(`${name}: wellKnown must be true or false`);
  return { policy: checkPolicy<Request>(options.policy ?? 'require', 'policy'), wellKnown };
}

/** The policy for this request; a policy function returning nonsense fails closed. */
export function policyFor(choice: PolicyChoice<Request>, request: Request): Policy {
  if (typeof choice !== 'function') return choice;
  const policy = choice(request);
  return isPolicy(policy) ? policy : 'require';
}

/**
 * Wraps a Fetch API handler (`(Request) => Response`: Hono's `app.fetch`, a
 * Next route handler, Bun's `fetch`) so that it receives plaintext Requests
 * and its Responses to cl1 requests go out sealed.
 *
 * ```ts
 * export default { fetch: cipherlayerFetch(engine, app.fetch) };
 * ```
 */
export function cipherlayerFetch<Args extends unknown[]>(
  engine: Engine,
  handler: (request: Request, ...args: Args) => Response | Promise<Response>,
  options: WebCipherlayerOptions = {},
): (request: Request, ...args: Args) => Promise<Response> {
  const checked = checkWebOptions(engine, options, 'cipherlayerFetch');
  if (typeof handler !== 'function')
    throw configError('cipherlayerFetch(engine, handler): handler must be a function');
  return async function cipherlayerHandler(request: Request, ...args: Args): Promise<Response> {
    const target = targetOf(request.url);
    if (checked.wellKnown) {
      const resource = engine.wellKnown(target);
      const answer =
        resource === undefined ? undefined : await serveWellKnown(engine, resource, request, target);
      if (answer !== undefined) return answer;
    }
    const policy = policyFor(checked.policy, request);
    if (policy === 'off') return await handler(request, ...args);
    const entry = await admitWebRequest(engine, policy, request, target);
    if (entry instanceof Response) return entry;
    if (entry === 'pass') return withPlaintextVary(await handler(request, ...args));
    return await sealWebResponse(engine, entry.exchange, await handler(entry.request, ...args));
  };
}

/** The opened cl1 request behind a Request your handler received; undefined when it came in the clear. */
export function getCipherlayer(request: Request): CipherlayerExchange | undefined {
  return exchangeOf(request);
}
