import { Cipherlayer } from './cipherlayer.js';
import { configError } from './errors.js';
import { Profile } from './profile.js';

/**
 * What a route accepts: cl1 (the engine), one profile, or both during a
 * migration. With both, a request is cl1 when it carries a cl1 message (by
 * its Content-Type or `Cipherlayer` header) and the profile's otherwise, and
 * its answer is sealed the way it came. Nothing else is ever accepted: a
 * route for one never opens the other's messages, nor plaintext on
 * `require`.
 */
export type Protection<Request> = Cipherlayer<Request> | Profile<Request>;

export interface Protections<Request> {
  readonly engine: Cipherlayer<Request> | undefined;
  readonly profile: Profile<Request> | undefined;
}

/** Checks what a middleware was given, once, when it is created. */
export function protectionsOf<Request>(
  value: Protection<Request> | readonly Protection<Request>[],
  where: string,
): Protections<Request> {
  const list = Array.isArray(value) ? (value as readonly unknown[]) : [value];
  let engine: Cipherlayer<Request> | undefined;
  let profile: Profile<Request> | undefined;
  for (const item of list) {
    if (item instanceof Cipherlayer) {
      if (engine !== undefined) throw configError(`${where}: at most one engine`);
      engine = item as Cipherlayer<Request>;
    } else if (item instanceof Profile) {
      if (profile !== undefined)
        throw configError(`${where}: at most one profile per route (cl1 and one profile during a migration)`);
      profile = item as Profile<Request>;
    } else {
      throw configError(
        `${where}: pass what createCipherlayer() returned, a profile, or a list of an engine and a profile`,
      );
    }
  }
  if (engine === undefined && profile === undefined) throw configError(`${where}: nothing to protect with`);
  return { engine, profile };
}
