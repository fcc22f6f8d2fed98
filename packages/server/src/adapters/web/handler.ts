import { configError } from '../../engine/errors.js';
import type { CipherlayerExchange } from '../../engine/exchange.js';
import { carriesCl1, MESSAGE_HEADER } from '../../engine/media.js';
import { checkPolicy, isPolicy, type Policy, type PolicyChoice } from '../../engine/policy.js';
import type { Profile } from '../../engine/profile.js';
import { type Protection, protectionsOf } from '../../engine/protections.js';
import { admitWebRequest, type Engine, exchangeOf } from './open-request.js';
import {
  admitProfileWebRequest,
  sealProfileWebResponse,
  serveProfileWebEndpoint,
} from './profile-request.js';
import { targetOf } from './responses.js';
import { sealWebResponse, withPlaintextVary } from './seal-response.js';
import { serveWellKnown } from './well-known.js';

export interface WebCipherlayerOptions {
  /** `require` (default), `optional`, `off`, or a function of the Request returning one of them. */
  policy?: PolicyChoice<Request>;
  /** Serve the well-known resources (and the profile's endpoints). Default true. */
  wellKnown?: boolean;
}

export interface CheckedWebOptions {
  readonly policy: PolicyChoice<Request>;
  readonly wellKnown: boolean;
  readonly engine: Engine | undefined;
  readonly profile: Profile<Request> | undefined;
}

const OPTION_NAMES: readonly string[] = ['policy', 'wellKnown'];

/** Checks what to protect with and the options once, when a handler or middleware is created. */
export function checkWebOptions(
  protection: Protection<Request> | readonly Protection<Request>[],
  options: WebCipherlayerOptions,
  name: string,
): CheckedWebOptions {
  const { engine, profile } = protectionsOf(protection, `${name}(engine)`);
  if (typeof options !== 'object' || options === null)
    throw configError(`${name}: options must be an object`);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key))
      throw configError(`${name}: unknown option "${key}"; known: ${OPTION_NAMES.join(', ')}`);
  }
  const wellKnown = options.wellKnown ?? true;
  if (typeof wellKnown !== 'boolean') throw configError(`${name}: wellKnown must be true or false`);
  return { policy: checkPolicy<Request>(options.policy ?? 'require', 'policy'), wellKnown, engine, profile };
}

/** The policy for this request; a policy function returning nonsense fails closed. */
export function policyFor(choice: PolicyChoice<Request>, request: Request): Policy {
  if (typeof choice !== 'function') return choice;
  const policy = choice(request);
  return isPolicy(policy) ? policy : 'require';
}

/** The answer of a well-known resource or a profile endpoint; undefined when the request is the app's. */
export async function serveOwnResources(
  checked: CheckedWebOptions,
  request: Request,
  target: string,
): Promise<Response | undefined> {
  if (!checked.wellKnown) return undefined;
  const { engine, profile } = checked;
  const resource = engine?.wellKnown(target);
  if (resource !== undefined && engine !== undefined)
    return await serveWellKnown(engine, resource, request, target);
  const endpoint = profile?.endpoint(request.method, target);
  if (endpoint !== undefined && profile !== undefined)
    return await serveProfileWebEndpoint(profile, endpoint, request, target);
  return undefined;
}

/** cl1 when the route has the engine and either no profile or a request that carries a cl1 message. */
export function isCl1Request(checked: CheckedWebOptions, request: Request): boolean {
  if (checked.engine === undefined) return false;
  if (checked.profile === undefined) return true;
  const { headers } = request;
  return carriesCl1(headers.get('content-type') ?? undefined, headers.get(MESSAGE_HEADER) ?? undefined);
}

/**
 * Wraps a Fetch API handler (`(Request) => Response`: Hono's `app.fetch`, a
 * Next route handler, Bun's `fetch`) so that it receives plaintext Requests
 * and its Responses to cl1 requests go out sealed. `protection` is the
 * engine, a profile (`@cipherlayer/profiles`), or both during a migration.
 *
 * ```ts
 * export default { fetch: cipherlayerFetch(engine, app.fetch) };
 * ```
 */
export function cipherlayerFetch<Args extends unknown[]>(
  protection: Protection<Request> | readonly Protection<Request>[],
  handler: (request: Request, ...args: Args) => Response | Promise<Response>,
  options: WebCipherlayerOptions = {},
): (request: Request, ...args: Args) => Promise<Response> {
  const checked = checkWebOptions(protection, options, 'cipherlayerFetch');
  if (typeof handler !== 'function')
    throw configError('cipherlayerFetch(engine, handler): handler must be a function');
  return async function cipherlayerHandler(request: Request, ...args: Args): Promise<Response> {
    const target = targetOf(request.url);
    const own = await serveOwnResources(checked, request, target);
    if (own !== undefined) return own;
    const policy = policyFor(checked.policy, request);
    if (policy === 'off') return await handler(request, ...args);
    if (isCl1Request(checked, request)) {
      const engine = checked.engine as Engine;
      const entry = await admitWebRequest(engine, policy, request, target);
      if (entry instanceof Response) return entry;
      if (entry === 'pass') return withPlaintextVary(await handler(request, ...args));
      return await sealWebResponse(engine, entry.exchange, await handler(entry.request, ...args));
    }
    const profile = checked.profile as Profile<Request>;
    const entry = await admitProfileWebRequest(profile, policy, request, target);
    if (entry instanceof Response) return entry;
    if ('pass' in entry) return withPlaintextVary(await handler(entry.pass, ...args), profile.vary);
    return await sealProfileWebResponse(profile, entry.exchange, await handler(entry.request, ...args));
  };
}

/** The opened cl1 request behind a Request your handler received; undefined when it came in the clear. */
export function getCipherlayer(request: Request): CipherlayerExchange | undefined {
  return exchangeOf(request);
}
