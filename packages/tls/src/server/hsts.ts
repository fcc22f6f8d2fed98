import { booleanOption, configError, integerInRange, isPlainObject, onlyKnownKeys } from '../lib/options.js';

/** Strict-Transport-Security (RFC 6797): browsers use only HTTPS for this host for `maxAge` seconds. */
export interface HstsOptions {
  /** Seconds; default one year (31536000). 0 tells browsers to forget the policy. */
  readonly maxAge?: number;
  /** Also every subdomain; off by default, since one plain-HTTP subdomain then stops working. */
  readonly includeSubDomains?: boolean;
  /** Ask to be listed in browsers' preload lists (needs includeSubDomains and maxAge ≥ one year). */
  readonly preload?: boolean;
}

export const ONE_YEAR_SECONDS = 31_536_000;

/**
 * The header value, or undefined when HSTS is off. The default is on in
 * production and off elsewhere: browsers remember the policy per host, and
 * on `localhost` it would force HTTPS on every other development server.
 */
export function hstsHeaderValue(
  where: string,
  option: HstsOptions | false | undefined,
  production: boolean,
): string | undefined {
  if (option === false) return undefined;
  if (option === undefined && !production) return undefined;
  const hsts = option ?? {};
  if (!isPlainObject(hsts))
    throw configError(`${where} hsts must be false or { maxAge, includeSubDomains, preload }`);
  onlyKnownKeys(`${where} hsts`, hsts, ['maxAge', 'includeSubDomains', 'preload']);
  const maxAge =
    hsts.maxAge === undefined
      ? ONE_YEAR_SECONDS
      : integerInRange(`${where} hsts.maxAge`, hsts.maxAge, 0, 2 ** 31 - 1);
  const includeSubDomains = booleanOption(`${where} hsts.includeSubDomains`, hsts.includeSubDomains, false);
  const preload = booleanOption(`${where} hsts.preload`, hsts.preload, false);
  if (preload && (!includeSubDomains || maxAge < ONE_YEAR_SECONDS))
    throw configError(
      `${where} hsts.preload needs includeSubDomains: true and maxAge of at least ${ONE_YEAR_SECONDS} (browsers' preload rules)`,
    );
  return `max-age=${maxAge}${includeSubDomains ? '; includeSubDomains' : ''}${preload ? '; preload' : ''}`;
}
