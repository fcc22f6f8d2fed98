import type { EncryptionContext } from '../keyring.js';

/**
 * Which fields share a data key. Per tenant keys let one tenant's data be
 * shredded (retire its keys) and bound what one leaked key exposes; per
 * table keys do the same across tables. Fields of a table without a tenant
 * column use the table (or global) key under the tenant policies.
 */
export type KeyScopePolicy = 'global' | 'table' | 'tenant' | 'tenant-table';

export const KEY_SCOPE_POLICIES: readonly KeyScopePolicy[] = ['global', 'table', 'tenant', 'tenant-table'];

/** The scope of index root keys: one hierarchy of versions per keys table. */
export const INDEX_SCOPE = 'index';

export interface Scope {
  /** The canonical string stored in the keys table's scope column. */
  readonly name: string;
  readonly table?: string;
  readonly tenant?: string;
}

export function scopeOf(policy: KeyScopePolicy, table: string, tenant: string | undefined): Scope {
  const byTable = policy === 'table' || policy === 'tenant-table';
  const byTenant = (policy === 'tenant' || policy === 'tenant-table') && tenant !== undefined;
  const parts: string[] = [];
  if (byTenant) parts.push(`tenant=${encodeURIComponent(tenant)}`);
  if (byTable) parts.push(`table=${encodeURIComponent(table)}`);
  if (parts.length === 0) return { name: 'global' };
  return {
    name: parts.join(';'),
    ...(byTable ? { table } : {}),
    ...(byTenant ? { tenant } : {}),
  };
}

/** Reads a scope name back (for rotation, which starts from rows of the keys table). */
export function parseScope(name: string): Scope {
  if (name === 'global' || name === INDEX_SCOPE) return { name };
  let table: string | undefined;
  let tenant: string | undefined;
  for (const part of name.split(';')) {
    const [kind, value = ''] = part.split('=', 2);
    if (kind === 'table') table = decodeURIComponent(value);
    if (kind === 'tenant') tenant = decodeURIComponent(value);
  }
  return { name, ...(table === undefined ? {} : { table }), ...(tenant === undefined ? {} : { tenant }) };
}

export type KeyPurpose = 'data' | 'index';

/**
 * What a keyring authenticates with a wrapped key: the key's id and scope, so
 * a wrapped key copied onto another row of the keys table does not unwrap.
 * `tenant` and `table` are separate entries so that KMS key policies can
 * match them (kms:EncryptionContext:tenant).
 */
export function wrapContext(purpose: KeyPurpose, keyId: string, scope: Scope): EncryptionContext {
  return {
    purpose: purpose === 'data' ? 'cipherlayer data key' : 'cipherlayer index key',
    key_id: keyId,
    scope: scope.name,
    ...(scope.tenant === undefined ? {} : { tenant: scope.tenant }),
    ...(scope.table === undefined ? {} : { table: scope.table }),
  };
}
