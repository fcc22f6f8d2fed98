/**
 * Run as its own process, with --expose-gc (memory.ts starts it): how much
 * memory the default in-memory session store holds per live cl1 session.
 * It makes `sessions` sessions with real handshakes (the server's
 * `handshake`, a node:crypto client's hello each), measures the heap after a
 * full collection with the sessions stored, then drops the store and
 * measures again: the difference is what the sessions themselves hold,
 * without the handshake replay cache (which the server keeps besides, and
 * which is reported on its own). It prints one line, `MEMORY {json}`.
 */
import {
  ClientProtocol,
  generateServerKey,
  MemorySessionStore,
  type RequestBinding,
  runFlow,
  ServerKeySet,
  ServerProtocol,
  type SessionRecord,
  type SessionStore,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { now } from '../fixtures.js';
import { MEMORY_LINE_PREFIX, type MemorySample } from './figures.js';

const binding: RequestBinding = { method: 'POST', target: '/.well-known/cipherlayer/session' };

/** A store whose sessions can all be let go at once, while the server keeps everything else. */
class DetachableStore implements SessionStore {
  inner = new MemorySessionStore({ maxSessions: 10_000_000 });
  save(record: SessionRecord, windowSize: number) {
    return this.inner.save(record, windowSize);
  }
  load(sessionId: Uint8Array) {
    return this.inner.load(sessionId);
  }
  revoke(sessionId: Uint8Array) {
    return this.inner.revoke(sessionId);
  }
  bind(sessionId: Uint8Array, attributes: Readonly<Record<string, string>>) {
    return this.inner.bind(sessionId, attributes);
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const collect = gc;

/**
 * After a turn of the event loop (no frame of the caller left to hold a
 * dropped object in a register) and two full collections.
 */
async function sample(): Promise<MemorySample> {
  await new Promise((resolve) => setImmediate(resolve));
  collect();
  collect();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

const sessions = Number(process.argv[2]);
if (!Number.isInteger(sessions) || sessions < 1) throw new Error('usage: session-heap <sessions>');

const store = new DetachableStore();
const server = new ServerProtocol({
  backend: nodeBackend,
  keys: new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 1 }))]),
  sessions: store,
});
const client = await ClientProtocol.create({ backend: nodeBackend, discovery: await server.discovery() });

function handshakes(count: number): void {
  for (let i = 0; i < count; i++) now(server.handshake(now(client.startHandshake(binding)).message, binding));
}

/** Lets the stored sessions go (a function, so that no frame still holds the old store). */
function dropSessions(): number {
  const stored = store.inner.size;
  store.inner = new MemorySessionStore({ maxSessions: 10_000_000 });
  return stored;
}

// Warm-up, so that compiled code and lazily made objects are not counted as sessions.
handshakes(200);
dropSessions();

const before = await sample();
handshakes(sessions);
const withSessions = await sample();
const stored = dropSessions();
const withoutSessions = await sample();

process.stdout.write(
  `${MEMORY_LINE_PREFIX}${JSON.stringify({ sessions, stored, before, withSessions, withoutSessions })}\n`,
);
