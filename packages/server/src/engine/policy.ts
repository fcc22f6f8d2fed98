import { configError, type ErrorCode } from './errors.js';
import type { RequestForm } from './media.js';

/**
 * What a route accepts (spec/http.md, "Policy per route"):
 * - `require`: only cl1 requests; anything else is 415 before the app runs;
 * - `optional`: cl1 requests are opened and answered sealed, plaintext passes;
 * - `off`: cipherlayer does nothing.
 */
export type Policy = 'require' | 'optional' | 'off';

/** A fixed policy, or one chosen per request (by path, say) before anything is read. */
export type PolicyChoice<Request> = Policy | ((request: Request) => Policy);

const POLICIES: readonly unknown[] = ['require', 'optional', 'off'];

export function isPolicy(value: unknown): value is Policy {
  return POLICIES.includes(value);
}

/** Checks a policy option once, when a middleware or plugin is created. */
export function checkPolicy<Request>(value: unknown, where: string): PolicyChoice<Request> {
  if (isPolicy(value) || typeof value === 'function') return value as PolicyChoice<Request>;
  throw configError(`${where} must be 'require', 'optional', 'off' or a function returning one of them`);
}

/**
 * What to do with a request on a `require` or `optional` route:
 * hand it on untouched, open it, or refuse it with an error code.
 * A HEAD response has no body to seal, so a HEAD is never a cl1 request.
 */
export type Admission = 'pass' | 'open' | ErrorCode;

export function admit(policy: 'require' | 'optional', method: string, form: RequestForm): Admission {
  if (form === 'plaintext') return policy === 'require' ? 'ERR_PLAINTEXT_REJECTED' : 'pass';
  if (method === 'HEAD') return 'ERR_MALFORMED';
  return 'open';
}
