import { CipherlayerError } from '@cipherlayer/core';
import type { FastifyPluginCallback, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { Cipherlayer } from '../../engine/cipherlayer.js';
import { configError } from '../../engine/errors.js';
import type { CipherlayerExchange } from '../../engine/exchange.js';
import { requestForm } from '../../engine/media.js';
import { isPolicy, type Policy } from '../../engine/policy.js';
import { Profile } from '../../engine/profile.js';
import type { CipherlayerProfileExchange } from '../../engine/profile-exchange.js';
import { openingHook, type PreParsing } from './open-request.js';
import { profileEndpointHook, profileOpeningHook, profileSealingHook } from './profile-hooks.js';
import { refuse } from './reply.js';
import { type OnSend, sealingHook } from './seal-response.js';
import { registerWellKnown } from './well-known.js';

/** A route's cipherlayer settings: its policy, and what it accepts ('cl1', a profile's name, or both). */
export interface RouteCipherlayer {
  policy?: Policy;
  profile?: string | readonly string[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The cipherlayer engine this scope was registered with (keys, events); absent on profile-only scopes. */
    cipherlayer: Cipherlayer<FastifyRequest>;
  }
  interface FastifyRequest {
    /** The opened cl1 request, or null for a request that came in the clear. */
    cipherlayer: CipherlayerExchange | null;
    /** The request a profile opened, or null. */
    cipherlayerProfile: CipherlayerProfileExchange | null;
  }
  interface FastifyContextConfig {
    /** This route's policy (and profile); the plugin's `policy` and `profile` options when absent. */
    cipherlayer?: Policy | RouteCipherlayer;
  }
}

export interface FastifyCipherlayerOptions {
  /** The engine, from `createCipherlayer`. Needed when any route of the scope accepts cl1. */
  cipherlayer?: Cipherlayer<FastifyRequest>;
  /** Profiles the routes of this scope may name (`@cipherlayer/profiles`); their endpoints are registered. */
  profiles?: readonly Profile<FastifyRequest>[];
  /** Policy of the routes without one in `config.cipherlayer`. Default `require`. */
  policy?: Policy;
  /** What routes without `config.cipherlayer.profile` accept. Default 'cl1' with an engine, else the only profile. */
  profile?: string | readonly string[];
  /** Register the well-known routes (discovery, handshake, logout, the profiles' endpoints) in this scope. Default true. */
  wellKnown?: boolean;
}

const OPTION_NAMES: readonly string[] = ['cipherlayer', 'profiles', 'policy', 'profile', 'wellKnown'];

/**
 * Set on a request by the first hook of a route whose policy was applied
 * through its own hooks (see onRoute below), so that the scope-level safety
 * net leaves it alone without reading `request.routeOptions` (a getter that
 * builds an object on every access).
 */
const kCovered = Symbol('cipherlayer.covered');
type Marked = FastifyRequest & { [kCovered]: boolean };
type Config = { cipherlayer?: unknown } | undefined;

function markCovered(request: FastifyRequest, _reply: unknown, done: () => void): void {
  (request as Marked)[kCovered] = true;
  done();
}

function hooks<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

interface CheckedOptions {
  engine: Cipherlayer<FastifyRequest> | undefined;
  profiles: ReadonlyMap<string, Profile<FastifyRequest>>;
  policy: Policy;
  names: readonly string[];
  wellKnown: boolean;
}

function namesOf(value: unknown, where: string): readonly string[] {
  const names = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(names) || names.length === 0 || names.some((name) => typeof name !== 'string'))
    throw configError(`${where} must be 'cl1', a profile's name, or a list of them`);
  return names as readonly string[];
}

function checkOptions(options: FastifyCipherlayerOptions): CheckedOptions {
  const { cipherlayer: engine } = options;
  if (engine !== undefined && !(engine instanceof Cipherlayer))
    throw configError(
      'register(cipherlayerFastify, { cipherlayer }): pass what createCipherlayer() returned',
    );
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key))
      throw configError(`cipherlayerFastify: unknown option "${key}"; known: ${OPTION_NAMES.join(', ')}`);
  }
  const profiles = new Map<string, Profile<FastifyRequest>>();
  const list = options.profiles ?? [];
  if (!Array.isArray(list)) throw configError('profiles must be a list of profiles');
  for (const profile of list) {
    if (!(profile instanceof Profile))
      throw configError('profiles: pass what the profile factories returned');
    if (profiles.has(profile.name)) throw configError(`profiles: two profiles are named "${profile.name}"`);
    profiles.set(profile.name, profile);
  }
  if (engine === undefined && profiles.size === 0)
    throw configError(
      'register(cipherlayerFastify, { cipherlayer }): pass what createCipherlayer() returned, or profiles',
    );
  const policy = options.policy ?? 'require';
  if (!isPolicy(policy)) throw configError("policy must be 'require', 'optional' or 'off'");
  const fallback = engine !== undefined ? 'cl1' : profiles.size === 1 ? [...profiles.keys()] : undefined;
  if (options.profile === undefined && fallback === undefined)
    throw configError('profile: say which profile routes accept by default');
  const names = namesOf(options.profile ?? fallback, 'profile');
  const wellKnown = options.wellKnown ?? true;
  if (typeof wellKnown !== 'boolean') throw configError('wellKnown must be true or false');
  return { engine, profiles, policy, names, wellKnown };
}

/** The hooks of one (policy, accepted protections) pair, built once and shared by its routes. */
interface RouteHooks {
  readonly opening: PreParsing | undefined;
  readonly sealing: readonly OnSend[];
}

/** What a route's config says, checked against the scope's options. */
function resolve(
  config: unknown,
  checked: CheckedOptions,
  where: string,
): { policy: Policy; names: readonly string[] } {
  if (config === undefined) return { policy: checked.policy, names: checked.names };
  if (isPolicy(config)) return { policy: config, names: checked.names };
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw configError(
      `${where}: config.cipherlayer must be 'require', 'optional' or 'off', or { policy, profile }`,
    );
  const { policy = checked.policy, profile, ...rest } = config as RouteCipherlayer;
  if (Object.keys(rest).length > 0 || !isPolicy(policy))
    throw configError(
      `${where}: config.cipherlayer must be 'require', 'optional' or 'off', or { policy, profile }`,
    );
  return { policy, names: profile === undefined ? checked.names : namesOf(profile, `${where}: profile`) };
}

function buildHooks(
  checked: CheckedOptions,
  policy: 'require' | 'optional',
  names: readonly string[],
  where: string,
) {
  let engine: Cipherlayer<FastifyRequest> | undefined;
  let profile: Profile<FastifyRequest> | undefined;
  for (const name of names) {
    if (name === 'cl1') {
      if (checked.engine === undefined) throw configError(`${where}: cl1 needs the cipherlayer option`);
      engine = checked.engine;
      continue;
    }
    const found = checked.profiles.get(name);
    if (found === undefined) throw configError(`${where}: no profile named "${name}" in the profiles option`);
    if (profile !== undefined && profile !== found)
      throw configError(`${where}: at most one profile per route (cl1 and one profile during a migration)`);
    profile = found;
  }
  const cl1 = engine === undefined ? undefined : openingHook(engine, policy);
  const own = profile === undefined ? undefined : profileOpeningHook(profile, policy);
  let opening: PreParsing | undefined = cl1 ?? own;
  if (cl1 !== undefined && own !== undefined && engine !== undefined) {
    const cl1Engine = engine;
    // cl1 messages by their Content-Type or header; anything else is the profile's to judge.
    opening = (request, reply, payload, done) => {
      let form: ReturnType<typeof requestForm>;
      try {
        form = requestForm(
          request.headers['content-type'],
          request.headers.cipherlayer as string | undefined,
        );
      } catch (error) {
        refuse(cl1Engine, request, reply, error);
        return;
      }
      if (form === 'plaintext') own(request, reply, payload, done);
      else cl1(request, reply, payload, done);
    };
  }
  const sealing: OnSend[] = [];
  if (engine !== undefined) sealing.push(sealingHook(engine));
  if (profile !== undefined) sealing.push(profileSealingHook(profile));
  return { opening, sealing };
}

const plugin: FastifyPluginCallback<FastifyCipherlayerOptions> = (fastify, options, done) => {
  let checked: CheckedOptions;
  try {
    checked = checkOptions(options);
  } catch (error) {
    done(error as Error);
    return;
  }
  const { engine } = checked;

  // Built once per (policy, protections); each route gets the hooks of its own, so a request costs no lookup.
  const built = new Map<string, RouteHooks>();
  const hooksFor = (policy: 'require' | 'optional', names: readonly string[], where: string): RouteHooks => {
    const key = `${policy} ${[...names].sort().join(',')}`;
    let found = built.get(key);
    if (found === undefined) {
      found = buildHooks(checked, policy, names, where);
      built.set(key, found);
    }
    return found;
  };
  // Fail at registration, not at the first request, when the defaults name something missing.
  if (checked.policy !== 'off') hooksFor(checked.policy, checked.names, 'cipherlayerFastify');

  if (engine !== undefined) fastify.decorate('cipherlayer', engine);
  fastify.decorateRequest('cipherlayer', null);
  fastify.decorateRequest('cipherlayerProfile', null);
  if (!fastify.hasRequestDecorator(kCovered)) fastify.decorateRequest(kCovered, false);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const where = `route ${route.method} ${route.url}`;
    const { policy, names } = resolve(route.config?.cipherlayer, checked, where);
    // onRequest runs before any preParsing hook, the scope's safety net included.
    route.onRequest = [markCovered, ...hooks(route.onRequest)] as NonNullable<RouteOptions['onRequest']>;
    if (policy === 'off') return;
    const { opening, sealing } = hooksFor(policy, names, where);
    // Route hooks run after the scope's: opening comes after every scope-level preParsing hook
    // (and first among the route's), sealing after every other onSend hook, whatever the order
    // plugins were registered in.
    route.preParsing = [opening, ...hooks(route.preParsing)] as NonNullable<RouteOptions['preParsing']>;
    route.onSend = [...hooks(route.onSend), ...sealing] as NonNullable<RouteOptions['onSend']>;
  });

  // The safety net: a route registered in this scope before the plugin (onRoute never saw it),
  // and the scope's not-found handler, get the default policy from scope-level hooks.
  const uncoveredHooks = (request: FastifyRequest): RouteHooks | undefined => {
    if ((request as Marked)[kCovered]) return undefined;
    const config = request.routeOptions.config as Config;
    const { policy, names } = resolve(config?.cipherlayer, checked, 'an uncovered route');
    return policy === 'off' ? undefined : hooksFor(policy, names, 'an uncovered route');
  };
  const uncovered: PreParsing = (request, reply, payload, done) => {
    let found: RouteHooks | undefined;
    try {
      found = uncoveredHooks(request);
    } catch (error) {
      // A broken config on a route the plugin never saw fails closed.
      const refuser = engine ?? (checked.profiles.values().next().value as Profile<FastifyRequest>);
      refuse(refuser, request, reply, new CipherlayerError('ERR_INTERNAL', { cause: error }));
      return;
    }
    if (found?.opening === undefined) return done(null, payload);
    found.opening(request, reply, payload, done);
  };
  const cl1Sealing = engine === undefined ? undefined : sealingHook(engine);
  const profileSealing = new Map([...checked.profiles].map(([name, p]) => [name, profileSealingHook(p)]));
  const uncoveredSeal: OnSend = (request, reply, payload, done) => {
    if ((request as Marked)[kCovered]) return done(null, payload);
    // Only an opened request needs sealing, and its own exchange says by whom.
    const byProfile = request.cipherlayerProfile;
    const seal =
      request.cipherlayer !== null
        ? cl1Sealing
        : byProfile !== null
          ? profileSealing.get(byProfile.profile)
          : undefined;
    if (seal === undefined) return done(null, payload);
    seal(request, reply, payload, done);
  };
  fastify.addHook('preParsing', uncovered);
  fastify.addHook('onSend', uncoveredSeal);
  if (checked.wellKnown) {
    if (engine !== undefined) registerWellKnown(fastify, engine);
    for (const profile of checked.profiles.values()) {
      for (const endpoint of profile.endpoints) {
        fastify.route({
          method: endpoint.method as 'POST',
          url: endpoint.path,
          config: { cipherlayer: 'off' },
          preParsing: profileEndpointHook(profile, endpoint),
          handler: unreachable,
        });
      }
    }
  }
  done();
};

function unreachable(): never {
  throw new CipherlayerError('ERR_INTERNAL');
}

/**
 * Fastify 5 plugin. Register it before the routes it protects; it applies to
 * the scope it is registered in (and that scope's children), like any
 * fastify-plugin:
 *
 * ```ts
 * await app.register(cipherlayerFastify, { cipherlayer: engine });   // default policy: require
 * app.get('/health', { config: { cipherlayer: 'off' } }, handler);
 * // with profiles (@cipherlayer/profiles): each route says what it accepts
 * await app.register(cipherlayerFastify, { cipherlayer: engine, profiles: [rsaSession] });
 * app.post('/legacy', { config: { cipherlayer: { profile: 'rsa-session' } } }, handler);
 * app.post('/both', { config: { cipherlayer: { profile: ['cl1', 'rsa-session'] } } }, handler);
 * ```
 */
export const cipherlayerFastify = fp(plugin, { name: '@cipherlayer/server', fastify: '5.x' });
