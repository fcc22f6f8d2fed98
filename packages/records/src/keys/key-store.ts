import type { Database, SqlClient } from '../db/database.js';
import type { PackageTables } from '../db/migrations.js';
import type { WrappedKey } from '../keyring.js';
import type { KeyPurpose } from './scope.js';

/**
 * The keys table (cipherlayer_keys): one row per data key or index root key,
 * holding the key wrapped by a KEK, never in the clear. SQL lives here only.
 */

export type KeyState = 'active' | 'retiring' | 'retired';

export interface KeyRecord {
  readonly id: string;
  readonly purpose: KeyPurpose;
  readonly scope: string;
  readonly generation: number;
  readonly state: KeyState;
  readonly wrapped: WrappedKey;
  /** Messages reserved so far: an upper bound on the fields this key has encrypted. */
  readonly messageCount: number;
  readonly messageLimit: number;
  readonly createdAt: Date;
  readonly stateChangedAt: Date;
  readonly rewrappedAt: Date | null;
}

interface KeyRow {
  id: string;
  purpose: KeyPurpose;
  scope: string;
  generation: number;
  state: KeyState;
  keyring_id: string;
  kek_id: string;
  wrapped: Uint8Array;
  message_count: string;
  message_limit: string;
  created_at: Date;
  state_changed_at: Date;
  rewrapped_at: Date | null;
}

// Counts are read as text: pg returns bigint as a string and PGlite as a number.
const COLUMNS = `id, purpose, scope, generation, state, keyring_id, kek_id, wrapped,
  message_count::text AS message_count, message_limit::text AS message_limit,
  created_at, state_changed_at, rewrapped_at`;

function toRecord(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    purpose: row.purpose,
    scope: row.scope,
    generation: Number(row.generation),
    state: row.state,
    wrapped: { keyringId: row.keyring_id, kekId: row.kek_id, ciphertext: new Uint8Array(row.wrapped) },
    messageCount: Number(row.message_count),
    messageLimit: Number(row.message_limit),
    createdAt: new Date(row.created_at),
    stateChangedAt: new Date(row.state_changed_at),
    rewrappedAt: row.rewrapped_at === null ? null : new Date(row.rewrapped_at),
  };
}

export interface NewKey {
  readonly id: string;
  readonly purpose: KeyPurpose;
  readonly scope: string;
  readonly wrapped: WrappedKey;
  readonly messageLimit: number;
}

export interface KeyFilter {
  readonly purpose?: KeyPurpose;
  readonly states?: readonly KeyState[];
  readonly scope?: string;
}

export class KeyStore {
  readonly #db: Database;
  readonly #table: string;

  constructor(db: Database, tables: PackageTables) {
    this.#db = db;
    this.#table = tables.keys;
  }

  async byId(id: string): Promise<KeyRecord | undefined> {
    const { rows } = await this.#db.query<KeyRow>(`SELECT ${COLUMNS} FROM ${this.#table} WHERE id = $1`, [
      id,
    ]);
    return rows[0] && toRecord(rows[0]);
  }

  async active(purpose: KeyPurpose, scope: string): Promise<KeyRecord | undefined> {
    const { rows } = await this.#db.query<KeyRow>(
      `SELECT ${COLUMNS} FROM ${this.#table} WHERE purpose = $1 AND scope = $2 AND state = 'active'`,
      [purpose, scope],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async list(filter: KeyFilter = {}): Promise<KeyRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.purpose !== undefined) {
      params.push(filter.purpose);
      where.push(`purpose = $${params.length}`);
    }
    if (filter.scope !== undefined) {
      params.push(filter.scope);
      where.push(`scope = $${params.length}`);
    }
    if (filter.states !== undefined) {
      params.push([...filter.states]);
      where.push(`state = ANY($${params.length}::text[])`);
    }
    const { rows } = await this.#db.query<KeyRow>(
      `SELECT ${COLUMNS} FROM ${this.#table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY purpose, scope, generation DESC`,
      params,
    );
    return rows.map(toRecord);
  }

  /**
   * Inserts a new active key for its scope, one generation above the last.
   * Returns false when another process won the race (the partial unique index
   * allows one active key per scope; the generation is unique too).
   */
  async insertActive(key: NewKey): Promise<boolean> {
    const { rows } = await this.#db.query(
      `INSERT INTO ${this.#table}
         (id, purpose, scope, generation, state, keyring_id, kek_id, wrapped, message_limit)
       SELECT $1, $2, $3, COALESCE(MAX(generation), 0) + 1, 'active', $4, $5, $6, $7
         FROM ${this.#table} WHERE purpose = $2 AND scope = $3
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        key.id,
        key.purpose,
        key.scope,
        key.wrapped.keyringId,
        key.wrapped.kekId,
        key.wrapped.ciphertext,
        key.messageLimit,
      ],
    );
    return rows.length === 1;
  }

  /**
   * Reserves up to `count` messages of an active key in one statement and
   * returns how many were granted (0 when the key is exhausted or no longer
   * active). The persisted count only grows, so a crash can waste a
   * reservation but never let the key exceed its limit.
   */
  async reserve(id: string, count: number): Promise<number> {
    const { rows } = await this.#db.query<{ before: string; after: string }>(
      `WITH k AS (SELECT id, message_count FROM ${this.#table} WHERE id = $1 AND state = 'active' FOR UPDATE)
       UPDATE ${this.#table} AS t SET message_count = LEAST(t.message_count + $2, t.message_limit)
         FROM k WHERE t.id = k.id
       RETURNING k.message_count::text AS before, t.message_count::text AS after`,
      [id, count],
    );
    const row = rows[0];
    return row === undefined ? 0 : Number(row.after) - Number(row.before);
  }

  /** Moves a key from one of `from` to `to`; false when it was in none of them. */
  async setState(
    id: string,
    from: readonly KeyState[],
    to: KeyState,
    client: SqlClient = this.#db,
  ): Promise<boolean> {
    const { rows } = await client.query(
      `UPDATE ${this.#table} SET state = $2, state_changed_at = now()
        WHERE id = $1 AND state = ANY($3::text[]) RETURNING id`,
      [id, to, [...from]],
    );
    return rows.length === 1;
  }

  /** Marks the active key of a scope as retiring; returns the key it moved, if any. */
  async retireActive(purpose: KeyPurpose, scope: string): Promise<KeyRecord[]> {
    const { rows } = await this.#db.query<KeyRow>(
      `UPDATE ${this.#table} SET state = 'retiring', state_changed_at = now()
        WHERE purpose = $1 AND scope = $2 AND state = 'active' RETURNING ${COLUMNS}`,
      [purpose, scope],
    );
    return rows.map(toRecord);
  }

  /** Keys whose wrapping differs from (keyringId, kekId), after `afterId`, in id order. */
  async wrappedElsewhere(
    keyringId: string,
    kekId: string,
    afterId: string,
    limit: number,
  ): Promise<KeyRecord[]> {
    const { rows } = await this.#db.query<KeyRow>(
      `SELECT ${COLUMNS} FROM ${this.#table}
        WHERE (keyring_id <> $1 OR kek_id <> $2) AND id > $3 ORDER BY id LIMIT $4`,
      [keyringId, kekId, afterId, limit],
    );
    return rows.map(toRecord);
  }

  /** Replaces a key's wrapping if it is still the one that was read (compare-and-set). */
  async replaceWrapping(id: string, previous: WrappedKey, next: WrappedKey): Promise<boolean> {
    const { rows } = await this.#db.query(
      `UPDATE ${this.#table} SET keyring_id = $4, kek_id = $5, wrapped = $6, rewrapped_at = now()
        WHERE id = $1 AND keyring_id = $2 AND kek_id = $3 RETURNING id`,
      [id, previous.keyringId, previous.kekId, next.keyringId, next.kekId, next.ciphertext],
    );
    return rows.length === 1;
  }
}
