import type { FetchFunction } from '@cipherlayer/client';
import { fromBase64Url, fromJsonMessage, MessageType } from '@cipherlayer/core';

/**
 * The client's transport, recording every cl1 message the client sends
 * (from the `Cipherlayer` header or the body) before passing the request
 * on to the platform fetch. Tests use it to know the session ids and the
 * exact messages, to look for them in logs and to replay them.
 */
export class SentMessages {
  readonly messages: Uint8Array[] = [];
  /** Each request as it was handed to fetch: for replays. */
  readonly requests: { url: string; init: RequestInit }[] = [];

  readonly fetch: FetchFunction = async (input, init = {}) => {
    const url = input instanceof Request ? input.url : String(input);
    this.requests.push({ url, init });
    const header = new Headers(init.headers).get('cipherlayer');
    const contentType = new Headers(init.headers).get('content-type') ?? '';
    if (header !== null) this.messages.push(fromBase64Url(header));
    else if (typeof init.body === 'string' && contentType.startsWith('application/cipherlayer+json'))
      this.messages.push(fromJsonMessage(JSON.parse(init.body)));
    else if (init.body instanceof Uint8Array) this.messages.push(init.body);
    return await fetch(input, init);
  };

  /** The session ids of every session request sent (spec/protocol.md 4.3: bytes 2 to 18). */
  sessionIds(): Uint8Array[] {
    return this.messages.filter((m) => m[1] === MessageType.SessionRequest).map((m) => m.slice(2, 18));
  }

  /** The `Cipherlayer` header values sent, as they crossed the wire. */
  headerValues(): string[] {
    return this.requests
      .map((r) => new Headers(r.init.headers).get('cipherlayer'))
      .filter((value): value is string => value !== null);
  }
}
