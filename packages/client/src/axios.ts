/**
 * @cipherlayer/client/axios: an axios adapter over a cipherlayer client.
 *
 * An adapter, not a request/response interceptor pair: the client needs the
 * plaintext to seal a retry, and axios's own pipeline would get in the way
 * of interceptors (transformResponse parses the body before a response
 * interceptor sees it, validateStatus turns sealed 4xx answers into errors
 * before they are opened, and a retry would run every transform again). The
 * adapter sits after axios's request transforms and before its response
 * transforms, so axios features keep working on plaintext, and every rule
 * of the client (one retry, never plaintext) holds unchanged.
 */

import { isCipherlayerError, toBase64 } from '@cipherlayer/core';
import axios, {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { CipherlayerFetch } from './create-client.js';
import { configError } from './errors.js';

function requestHeaders(config: InternalAxiosRequestConfig): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(AxiosHeaders.from(config.headers).toJSON())) {
    headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
  }
  if (config.auth) {
    const credentials = `${config.auth.username ?? ''}:${config.auth.password ?? ''}`;
    headers.set('authorization', `Basic ${toBase64(new TextEncoder().encode(credentials))}`);
  }
  return headers;
}

/** axios hands the adapter serialized data (JSON text, bytes, forms, Blobs); all of it is a fetch body. */
function requestBody(data: unknown): BodyInit | undefined {
  if (data === undefined || data === null) return undefined;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (typeof (data as { pipe?: unknown }).pipe === 'function')
    throw configError('Node streams are not supported as axios data here; pass a Buffer or a string');
  return data as BodyInit;
}

function abortSignal(config: InternalAxiosRequestConfig): AbortSignal | undefined {
  const signals: AbortSignal[] = [];
  if (config.signal) signals.push(config.signal as AbortSignal);
  if (config.timeout) signals.push(AbortSignal.timeout(config.timeout));
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

/** Failures of the transport become the errors axios users expect; cipherlayer's own stay CipherlayerErrors. */
function adapterError(error: unknown, config: InternalAxiosRequestConfig): unknown {
  if (isCipherlayerError(error)) return error;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') {
    const code = config.transitional?.clarifyTimeoutError ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED;
    return new AxiosError(`timeout of ${config.timeout}ms exceeded`, code, config);
  }
  if (name === 'AbortError') return new CanceledError(undefined, undefined, config);
  return AxiosError.from(error, AxiosError.ERR_NETWORK, config);
}

async function responseData(response: Response, config: InternalAxiosRequestConfig): Promise<unknown> {
  switch (config.responseType) {
    case 'arraybuffer':
      return await response.arrayBuffer();
    case 'blob':
      return await response.blob();
    case 'stream':
      return response.body;
    case 'formdata':
      return await response.formData();
    default:
      // axios's transformResponse parses JSON from text, as with its own adapters.
      return await response.text();
  }
}

function responseHeaders(headers: Headers): AxiosHeaders {
  const out = new AxiosHeaders();
  headers.forEach((value, name) => {
    out.set(name, value);
  });
  return out;
}

/** Same rule as axios's own `settle`: validateStatus decides between a response and an AxiosError. */
function settle(response: AxiosResponse): AxiosResponse {
  const { status, config } = response;
  const validate = config.validateStatus;
  if (!status || !validate || validate(status)) return response;
  const code = status >= 400 && status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE;
  throw new AxiosError(`Request failed with status code ${status}`, code, config, undefined, response);
}

/**
 * `axios.create({ adapter: cipherlayerAdapter(client) })`: every request of
 * that instance goes through `client` (same origin only, sealed, one retry
 * at most). Cipherlayer failures reject with the CipherlayerError itself;
 * an application's error status (sealed 404, 422...) is an AxiosError with
 * the decrypted `response`, as usual.
 */
export function cipherlayerAdapter(client: CipherlayerFetch): AxiosAdapter {
  return async (config) => {
    let response: Response;
    try {
      const signal = abortSignal(config);
      const body = requestBody(config.data);
      response = await client(axios.getUri(config), {
        method: (config.method ?? 'get').toUpperCase(),
        headers: requestHeaders(config),
        ...(body === undefined ? {} : { body }),
        ...(signal === undefined ? {} : { signal }),
        credentials: config.withCredentials ? 'include' : 'same-origin',
      });
    } catch (error) {
      throw adapterError(error, config);
    }
    return settle({
      data: await responseData(response, config),
      status: response.status,
      statusText: response.statusText,
      headers: responseHeaders(response.headers),
      config,
    });
  };
}
