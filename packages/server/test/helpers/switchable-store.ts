import {
  MemoryReplayCache,
  MemorySessionStore,
  type ReplayCache,
  type SessionRecord,
  type SessionStore,
  type StoredSession,
} from '@cipherlayer/core';

export type Operation = 'save' | 'load' | 'accept' | 'revoke' | 'bind' | 'remember';
export type Failure = 'throw' | 'reject' | 'hang';

/**
 * An asynchronous store (as Redis is) over the in-memory ones, which a test
 * can switch between working and failing, per operation. Its errors quote a
 * key name with a session id, as a real client's might: it must not leak.
 */
export class SwitchableStore implements SessionStore, ReplayCache {
  readonly failing = new Map<Operation, Failure>();
  readonly calls: Operation[] = [];
  readonly #sessions: MemorySessionStore;
  readonly #replay: MemoryReplayCache;
  static readonly LEAKY_MESSAGE =
    'connect ECONNREFUSED 127.0.0.1:6379 while reading cl1:session:c2VjcmV0LXNlc3Npb24taWQ';

  constructor(clock: () => number) {
    this.#sessions = new MemorySessionStore({ clock });
    this.#replay = new MemoryReplayCache({ clock });
  }

  fail(failure: Failure, ...operations: Operation[]): void {
    for (const operation of operations) this.failing.set(operation, failure);
  }

  recover(): void {
    this.failing.clear();
  }

  #run<T>(operation: Operation, work: () => T | Promise<T>): Promise<T> {
    this.calls.push(operation);
    const failure = this.failing.get(operation);
    const error = Object.assign(new Error(SwitchableStore.LEAKY_MESSAGE), { code: 'ECONNREFUSED' });
    if (failure === 'throw') throw error;
    if (failure === 'reject') return Promise.reject(error);
    if (failure === 'hang') return new Promise<T>(() => {});
    return Promise.resolve().then(work) as Promise<T>;
  }

  save(record: SessionRecord, windowSize: number): Promise<void> {
    return this.#run('save', () => this.#sessions.save(record, windowSize));
  }

  load(sessionId: Uint8Array): Promise<StoredSession | 'revoked' | undefined> {
    return this.#run('load', (): StoredSession | 'revoked' | undefined => {
      const loaded = this.#sessions.load(sessionId);
      if (typeof loaded !== 'object') return loaded;
      return {
        record: loaded.record,
        acceptCounter: (counter: number) => this.#run('accept', () => loaded.acceptCounter(counter)),
      };
    });
  }

  revoke(sessionId: Uint8Array): Promise<void> {
    return this.#run('revoke', () => this.#sessions.revoke(sessionId));
  }

  bind(sessionId: Uint8Array, attributes: Readonly<Record<string, string>>): Promise<boolean> {
    return this.#run('bind', () => this.#sessions.bind(sessionId, attributes));
  }

  remember(id: string, expiresAt: number): Promise<boolean> {
    return this.#run('remember', () => this.#replay.remember(id, expiresAt));
  }
}
