import { HttpContextToken, type HttpRequest } from '@angular/common/http';
import { type RouteSelector, selects } from '../lib/route-selector.js';

/**
 * Per-request override of the `routes` selection: `true` encrypts this
 * request, `false` sends it as is (the login request, for instance: there
 * is no session key before it). `null`, the default, leaves it to `routes`.
 */
export const ENCRYPTED_ROUTE = new HttpContextToken<boolean | null>(() => null);

export function isEncryptedRoute(request: HttpRequest<unknown>, routes: RouteSelector): boolean {
  const forced = request.context.get(ENCRYPTED_ROUTE);
  return forced ?? selects(routes, request);
}
