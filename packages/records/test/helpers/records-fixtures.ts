import { randomBytes } from 'node:crypto';
import {
  type AuditEvent,
  type Keyring,
  LocalKeyring,
  openRecords,
  type Records,
  type RecordsOptions,
  type TableDefinition,
} from '../../src/index.js';
import type { TestDatabase } from './records-db.js';

/** A local keyring with fresh random KEKs (the first is current). */
export function testKeyring(ids: readonly string[] = ['k1'], name = 'test'): LocalKeyring {
  return new LocalKeyring({ name, keys: ids.map((id) => ({ id, key: new Uint8Array(randomBytes(32)) })) });
}

export async function openTestRecords(
  database: TestDatabase,
  options: Partial<Omit<RecordsOptions, 'db'>> & { readonly keyring?: Keyring } = {},
): Promise<Records> {
  return openRecords({ keyring: testKeyring(), ...options, db: database.db, schema: database.schema });
}

/** Collects audit events. */
export function auditLog(): { readonly events: AuditEvent[]; readonly hook: (event: AuditEvent) => void } {
  const events: AuditEvent[] = [];
  return { events, hook: (event) => events.push(event) };
}

/** A people table: tenant, three encrypted fields (one with a blind index) and a plaintext column. */
export const PEOPLE: TableDefinition = {
  table: 'people',
  id: 'id',
  tenant: 'tenant',
  fields: {
    email: { type: 'string', blindIndex: { key: 'email_idx', normalize: ['nfkc', 'trim', 'lowercase'] } },
    ssn: { type: 'string' },
    profile: { type: 'json' },
  },
};

export const PEOPLE_DDL = `CREATE TABLE people (
  id bigint PRIMARY KEY,
  tenant text NOT NULL,
  email text,
  email_idx text,
  ssn text,
  profile text,
  note text
)`;
