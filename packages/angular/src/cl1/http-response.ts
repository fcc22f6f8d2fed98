import { HttpErrorResponse, HttpHeaders, type HttpRequest, HttpResponse } from '@angular/common/http';

const XSSI_PREFIX = /^\)\]\}',?\n/;

async function readBody(response: Response, request: HttpRequest<unknown>): Promise<unknown> {
  switch (request.responseType) {
    case 'arraybuffer':
      return await response.arrayBuffer();
    case 'blob':
      return await response.blob();
    case 'text':
      return await response.text();
    default: {
      const text = (await response.text()).replace(XSSI_PREFIX, '');
      if (text === '') return null;
      try {
        return JSON.parse(text);
      } catch {
        // Angular hands error bodies that are not JSON on as text; a success that is not JSON fails below.
        if (!response.ok) return text;
        throw new SyntaxError('the response body is not valid JSON');
      }
    }
  }
}

/**
 * The decrypted Response as Angular's HttpResponse, or HttpErrorResponse
 * outside 2xx, as HttpClient's own backends report them.
 */
export async function toHttpEvent(
  response: Response,
  request: HttpRequest<unknown>,
): Promise<HttpResponse<unknown> | HttpErrorResponse> {
  const headerValues: Record<string, string[]> = {};
  response.headers.forEach((value, name) => {
    headerValues[name] = [...(headerValues[name] ?? []), value];
  });
  const init = {
    headers: new HttpHeaders(headerValues),
    status: response.status,
    statusText: response.statusText,
    url: request.urlWithParams,
  };
  let body: unknown;
  try {
    body = await readBody(response, request);
  } catch (error) {
    // The parse error is fresh and quotes nothing: V8's own would quote the plaintext.
    return new HttpErrorResponse({ ...init, error });
  }
  return response.ok ? new HttpResponse({ ...init, body }) : new HttpErrorResponse({ ...init, error: body });
}
