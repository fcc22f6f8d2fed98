/**
 * A `fetch` to hand to the encryption clients as their transport: it sees
 * exactly what they put on the network and what came back, before any
 * decryption, and records it for the wire inspector.
 */

export interface WireMessage {
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
}

export interface WireExchange {
  readonly method: string;
  readonly path: string;
  readonly request: WireMessage;
  readonly status: number;
  readonly response: WireMessage;
}

export type ExchangeListener = (exchange: WireExchange) => void;

export function recordingFetch(listener: () => ExchangeListener | undefined): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const requestBody = new Uint8Array(await request.clone().arrayBuffer());
    const response = await fetch(request);
    const responseBody = new Uint8Array(await response.clone().arrayBuffer());
    const url = new URL(request.url);
    listener()?.({
      method: request.method,
      path: url.pathname + url.search,
      request: { headers: [...request.headers], body: requestBody },
      status: response.status,
      response: { headers: [...response.headers], body: responseBody },
    });
    return response;
  };
}
