import type { FastifyPluginCallback, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { Cipherlayer } from '../../engine/cipherlayer.js';
import { configError } from '../../engine/errors.js';
import type { CipherlayerExchange } from '../../engine/exchange.js';
import { isPolicy, type Policy } from '../../engine/policy.js';
import { openingHook, type PreParsing } from './open-request.js';
import { type OnSend, sealingHook } from './seal-response.js';
import { registerWellKnown } from './well-known.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The cipherlayer engine this scope was registered with (keys, events). */
    cipherlayer: Cipherlayer<FastifyRequest>;
  }
  interface FastifyRequest {
    /** The opened cl1 request, or null for a request that came in the clear. */
    cipherlayer: CipherlayerExchange | null;
  }
  interface FastifyContextConfig {
    /** This route's policy; the plugin's `policy` option when absent. */
    cipherlayer?: Policy;
  }
}

export interface FastifyCipherlayerOptions {
  /** The engine, from `createCipherlayer`. */
  cipherlayer: Cipherlayer<FastifyRequest>;
  /** Policy of the routes without `config.cipherlayer`. Default `require`. */
  policy?: Policy;
  /** Register the well-known routes (discovery, handshake, logout) in this scope. Default true. */
  wellKnown?: boolean;
}

const OPTION_NAMES: readonly string[] = ['cipherlayer', 'policy', 'wellKnown'];

/** Marks the config of a route whose policy was applied through its own hooks (see onRoute below). */
const kCovered = Symbol('cipherlayer.covered');
type Config = { cipherlayer?: unknown; [kCovered]?: true } | undefined;

function hooks<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

interface CheckedOptions {
  engine: Cipherlayer<FastifyRequest>;
  policy: Policy;
  wellKnown: boolean;
}

function checkOptions(options: FastifyCipherlayerOptions): CheckedOptions {
  const { cipherlayer: engine } = options;
  if (!(engine instanceof Cipherlayer))
    throw configError(
      'register(cipherlayerFastify, { cipherlayer }): pass what createCipherlayer() returned',
    );
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key))
      throw configError(`cipherlayerFastify: unknown option "${key}"; known: ${OPTION_NAMES.join(', ')}`);
  }
  const policy = options.policy ?? 'require';
  if (!isPolicy(policy)) throw configError("policy must be 'require', 'optional' or 'off'");
  const wellKnown = options.wellKnown ?? true;
  if (typeof wellKnown !== 'boolean') throw configError('wellKnown must be true or false');
  return { engine, policy, wellKnown };
}

const plugin: FastifyPluginCallback<FastifyCipherlayerOptions> = (fastify, options, done) => {
  let checked: CheckedOptions;
  try {
    checked = checkOptions(options);
  } catch (error) {
    done(error as Error);
    return;
  }
  const { engine, policy: defaultPolicy, wellKnown } = checked;

  // Built once; each route gets the hook of its policy, so a request costs no policy lookup.
  const opening = { require: openingHook(engine, 'require'), optional: openingHook(engine, 'optional') };
  const sealing = sealingHook(engine);

  fastify.decorate('cipherlayer', engine);
  fastify.decorateRequest('cipherlayer', null);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const policy = route.config?.cipherlayer ?? defaultPolicy;
    if (!isPolicy(policy))
      throw configError(
        `route ${route.method} ${route.url}: config.cipherlayer must be 'require', 'optional' or 'off'`,
      );
    route.config = { ...route.config, [kCovered]: true } as NonNullable<RouteOptions['config']>;
    if (policy === 'off') return;
    // Route hooks run after the scope's: opening comes after every scope-level preParsing hook
    // (and first among the route's), sealing after every other onSend hook, whatever the order
    // plugins were registered in.
    route.preParsing = [opening[policy], ...hooks(route.preParsing)] as NonNullable<
      RouteOptions['preParsing']
    >;
    route.onSend = [...hooks(route.onSend), sealing] as NonNullable<RouteOptions['onSend']>;
  });

  // The safety net: a route registered in this scope before the plugin (onRoute never saw it),
  // and the scope's not-found handler, get the default policy from scope-level hooks.
  const uncovered: PreParsing = (request, reply, payload, done) => {
    const config = request.routeOptions.config as Config;
    if (config?.[kCovered]) return done(null, payload);
    const policy = config?.cipherlayer ?? defaultPolicy;
    if (policy === 'require' || policy === 'optional') return opening[policy](request, reply, payload, done);
    done(null, payload);
  };
  const uncoveredSeal: OnSend = (request, reply, payload, done) => {
    if ((request.routeOptions.config as Config)?.[kCovered]) return done(null, payload);
    sealing(request, reply, payload, done);
  };
  fastify.addHook('preParsing', uncovered);
  fastify.addHook('onSend', uncoveredSeal);
  if (wellKnown) registerWellKnown(fastify, engine);
  done();
};

/**
 * Fastify 5 plugin. Register it before the routes it protects; it applies to
 * the scope it is registered in (and that scope's children), like any
 * fastify-plugin:
 *
 * ```ts
 * await app.register(cipherlayerFastify, { cipherlayer: engine });   // default policy: require
 * app.get('/health', { config: { cipherlayer: 'off' } }, handler);
 * ```
 */
export const cipherlayerFastify = fp(plugin, { name: '@cipherlayer/server', fastify: '5.x' });
