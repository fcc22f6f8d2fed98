import { expect } from 'vitest';
import { createClient } from '../../src/index.js';
import type { ClientOptions } from '../../src/options.js';
import type { ServerDouble } from './server-double.js';

/** Everything that crossed the wire in both directions, as one byte string (bodies and headers). */
export function wireBytes(server: ServerDouble): Buffer {
  const parts: Buffer[] = [];
  for (const e of server.exchanges) {
    parts.push(Buffer.from(`${e.method} ${e.target}\n${e.rawHeaders.join('\n')}\n`), e.body);
    if (e.response) {
      parts.push(Buffer.from(`${JSON.stringify(e.response.headers)}\n`), e.response.body);
    }
  }
  return Buffer.concat(parts);
}

/** Fails if any of `values` appears anywhere on the wire (request or response, header or body). */
export function expectNoPlaintext(server: ServerDouble, values: readonly string[]): void {
  const wire = wireBytes(server);
  expect(wire.length).toBeGreaterThan(0);
  for (const value of values) {
    expect(wire.includes(Buffer.from(value)), `"${value}" appeared on the wire`).toBe(false);
  }
}

/** A client for `server` with the given options over the defaults. */
export function clientFor(server: ServerDouble, options: Omit<ClientOptions, 'baseUrl'>) {
  return createClient({ baseUrl: server.origin, ...options });
}

export const json = (value: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

/** The JSON the echo app put in its answer. */
export async function echoed(response: Response): Promise<{
  method: string;
  target: string;
  contentType: string;
  body: string;
}> {
  return await response.json();
}

/** True when a recorded request carried a cl1 message (body media type or Cipherlayer header) and nothing else. */
export function isCl1Request(rawHeaders: readonly string[]): boolean {
  const names = rawHeaders.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase());
  const values = rawHeaders.filter((_, i) => i % 2 === 1);
  const type = values[names.indexOf('content-type')];
  return names.includes('cipherlayer')
    ? type === undefined
    : type === 'application/cipherlayer' || type === 'application/cipherlayer+json';
}

/** The timestamp (ms) in a binary stateless request or handshake (spec/protocol.md 4.1, offset 9). */
export function timestampOf(message: Uint8Array): number {
  return Number(new DataView(message.buffer, message.byteOffset).getBigUint64(9));
}

/** The key id in a binary stateless request or handshake (offset 2). */
export function keyIdOf(message: Uint8Array): number {
  return message[2]!;
}
