import type { TestRequest } from '@angular/common/http/testing';

export const APP_ORIGIN = 'https://app.example';

/**
 * Answers a request held by HttpTestingController with a real Fetch API
 * server handler: the request Angular would have sent goes to the handler
 * as a `Request`, and its `Response` is flushed back as the backend would
 * have delivered it. Angular's testing utilities stay in charge; the bytes
 * come from the server code under test.
 */
export async function forward(
  pending: TestRequest,
  handler: (request: Request) => Promise<Response>,
): Promise<{ sent: string; received: string }> {
  const { request } = pending;
  const headers = new Headers();
  for (const name of request.headers.keys())
    headers.set(name, request.headers.getAll(name)?.join(', ') ?? '');
  const body = request.body === null ? null : JSON.stringify(request.body);
  if (body !== null && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const response = await handler(
    new Request(new URL(request.urlWithParams, APP_ORIGIN), { method: request.method, headers, body }),
  );
  const received = await response.text();
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    responseHeaders[name] = value;
  });
  const isJson = /json/.test(response.headers.get('content-type') ?? '');
  pending.flush(received === '' ? null : isJson ? JSON.parse(received) : received, {
    status: response.status,
    statusText: response.statusText,
    headers: responseHeaders,
  });
  return { sent: body ?? '', received };
}
