import type { HttpRequest } from '@angular/common/http';

/** `'all'`: every request through this HttpClient; or a predicate, usually on `request.url`. */
export type RouteSelector = 'all' | ((request: HttpRequest<unknown>) => boolean);

export function isRouteSelector(value: unknown): value is RouteSelector {
  return value === 'all' || typeof value === 'function';
}

export function selects(routes: RouteSelector, request: HttpRequest<unknown>): boolean {
  return routes === 'all' || routes(request) === true;
}
