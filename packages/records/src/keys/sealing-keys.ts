import type { AuditSink } from '../audit.js';
import type { Keyring } from '../keyring.js';
import type { KeyCache } from './key-cache.js';
import type { KeyStore } from './key-store.js';
import type { Scope } from './scope.js';
import { activeOrNew, type UnwrappedKey, unwrapRecord } from './unwrapped-key.js';

export interface SealingKeyLimits {
  /** Fields one data key may ever encrypt (persisted in the keys table). */
  readonly messageLimit: number;
  /** Messages reserved from the keys table per round trip. */
  readonly reserveBlock: number;
  readonly maxAgeMs: number;
  readonly maxUses: number;
}

interface Slot {
  readonly key: UnwrappedKey;
  /** Messages reserved in the keys table and not used yet. */
  lease: number;
  /** Encryptions left before the cached key must be unwrapped again. */
  usesLeft: number;
  readonly expiresAt: number;
  refilling: Promise<void> | undefined;
}

/** Enough tries to cover a roll, a lost race and a rotation by another process at once. */
const ACQUIRE_ATTEMPTS = 10;

/**
 * The data key each scope encrypts with now. The message count lives in the
 * keys table, but the hot path never writes it: each process reserves a
 * block of messages in one UPDATE (and the next block in the background when
 * a quarter is left), and uses them from memory. When a reservation comes
 * back empty the key has reached its limit, or was rotated: it is marked
 * retiring and the scope rolls to a new key.
 */
export class SealingKeys {
  readonly #slots = new Map<string, Slot>();
  readonly #acquiring = new Map<string, Promise<UnwrappedKey>>();
  readonly #store: KeyStore;
  readonly #keyring: Keyring;
  readonly #opening: KeyCache;
  readonly #limits: SealingKeyLimits;
  readonly #audit: AuditSink;

  constructor(
    store: KeyStore,
    keyring: Keyring,
    opening: KeyCache,
    limits: SealingKeyLimits,
    audit: AuditSink,
  ) {
    this.#store = store;
    this.#keyring = keyring;
    this.#opening = opening;
    this.#limits = limits;
    this.#audit = audit;
  }

  /** The key for one more field of `scope`: synchronous while the cached key and its reservation last. */
  take(scope: Scope): UnwrappedKey | Promise<UnwrappedKey> {
    const slot = this.#slots.get(scope.name);
    if (slot !== undefined && slot.lease > 0 && slot.usesLeft > 0 && slot.expiresAt > Date.now()) {
      slot.lease--;
      slot.usesLeft--;
      if (slot.lease === this.#refillAt && slot.refilling === undefined) this.#refillInBackground(slot);
      return slot.key;
    }
    let pending = this.#acquiring.get(scope.name);
    if (pending === undefined) {
      pending = this.#acquire(scope).finally(() => this.#acquiring.delete(scope.name));
      this.#acquiring.set(scope.name, pending);
      return pending;
    }
    // Others waited for the same slot: each then takes its own message from it.
    return pending.then(() => this.take(scope));
  }

  /** Forgets every slot (after a rotation in this process); reservations left unused are lost, never reused. */
  clear(): void {
    this.#slots.clear();
  }

  get #refillAt(): number {
    return Math.floor(this.#limits.reserveBlock / 4);
  }

  #refillInBackground(slot: Slot): void {
    slot.refilling = this.#store.reserve(slot.key.id, this.#limits.reserveBlock).then(
      (granted) => {
        slot.lease += granted;
        slot.refilling = undefined;
      },
      () => {
        // The foreground path reserves again and reports the failure.
        slot.refilling = undefined;
      },
    );
  }

  async #acquire(scope: Scope): Promise<UnwrappedKey> {
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
      let slot = this.#slots.get(scope.name);
      if (slot !== undefined && (slot.expiresAt <= Date.now() || slot.usesLeft <= 0)) {
        slot = await this.#reload(scope, slot);
      }
      if (slot === undefined) slot = await this.#open(scope);
      if (slot.lease <= 0 && slot.refilling !== undefined) await slot.refilling;
      if (slot.lease <= 0) {
        const granted = await this.#store.reserve(slot.key.id, this.#limits.reserveBlock);
        if (granted === 0) {
          await this.#roll(scope, slot.key);
          continue;
        }
        slot.lease += granted;
      }
      slot.lease--;
      slot.usesLeft--;
      return slot.key;
    }
    throw new Error(`no usable data key for ${scope.name} after ${ACQUIRE_ATTEMPTS} attempts`);
  }

  /** Cache limits reached: unwrap the same key again if it is still active, keeping its reservation. */
  async #reload(scope: Scope, slot: Slot): Promise<Slot | undefined> {
    this.#slots.delete(scope.name);
    const record = await this.#store.byId(slot.key.id);
    if (record === undefined || record.state !== 'active') return undefined;
    const key = await unwrapRecord(this.#keyring, record, this.#audit);
    return this.#install(scope, key, slot.lease);
  }

  async #open(scope: Scope): Promise<Slot> {
    const { record, created } = await activeOrNew(
      this.#store,
      this.#keyring,
      'data',
      scope,
      this.#limits.messageLimit,
      this.#audit,
    );
    const key = created ?? (await unwrapRecord(this.#keyring, record, this.#audit));
    return this.#install(scope, key, 0);
  }

  #install(scope: Scope, key: UnwrappedKey, lease: number): Slot {
    const slot: Slot = {
      key,
      lease,
      usesLeft: this.#limits.maxUses,
      expiresAt: Date.now() + this.#limits.maxAgeMs,
      refilling: undefined,
    };
    this.#slots.set(scope.name, slot);
    this.#opening.put(key);
    return slot;
  }

  async #roll(scope: Scope, key: UnwrappedKey): Promise<void> {
    this.#slots.delete(scope.name);
    // Only one process wins this update; the others find a new active key (or make it).
    if (await this.#store.setState(key.id, ['active'], 'retiring'))
      this.#audit({
        type: 'rotate',
        purpose: 'data',
        keyId: key.id,
        scope: scope.name,
        reason: 'message-limit',
      });
  }
}
