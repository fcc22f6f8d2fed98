import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Keyring,
  LocalKeyring,
  openRecords,
  pgliteDatabase,
  type TableDefinition,
} from '@cipherlayer/records';
import { PGlite } from '@electric-sql/pglite';

export const PEOPLE: TableDefinition = {
  table: 'people',
  id: 'id',
  tenant: 'tenant',
  fields: {
    email: { type: 'string', blindIndex: { key: 'email_idx', normalize: ['trim', 'lowercase'] } },
    ssn: { type: 'string' },
    profile: { type: 'json' },
  },
};

export interface PeopleDatabase {
  readonly root: string;
  readonly dir: string;
  readonly definitionFile: string;
  /** CIPHERLAYER_MASTER_KEYS for the CLI: "k1:<base64url>". */
  readonly masterKeys: string;
}

/**
 * A PGlite database in a temp dir with `rows` people encrypted under a local
 * keyring (the CLI's default name), or under the `given` keyring, which the
 * caller closes.
 */
export async function createPeopleDatabase(rows: number, given?: Keyring): Promise<PeopleDatabase> {
  const root = mkdtempSync(join(tmpdir(), 'cl-cli-records-'));
  const dir = join(root, 'pgdata');
  const masterKeys = LocalKeyring.generateKeyEntry('k1');
  const pglite = new PGlite(dir);
  await pglite.exec(`CREATE TABLE people (
    id bigint PRIMARY KEY, tenant text NOT NULL, email text, email_idx text, ssn text, profile text)`);
  const keyring =
    given ??
    new LocalKeyring({
      keys: [{ id: 'k1', key: Buffer.from(masterKeys.slice(3), 'base64url') }],
    });
  const records = await openRecords({ db: pgliteDatabase(pglite, { owned: true }), keyring });
  const people = records.table(PEOPLE);
  const batch = [];
  for (let i = 1; i <= rows; i++)
    batch.push({
      id: i,
      tenant: `t${i % 3}`,
      email: `Person.${i}@Example.com`,
      ssn: `000-00-${i}`,
      profile: { n: i },
    });
  for (let i = 0; i < batch.length; i += 500) await people.insertMany(batch.slice(i, i + 500));
  await records.close();
  const definitionFile = join(root, 'people.json');
  writeFileSync(definitionFile, JSON.stringify(PEOPLE));
  return { root, dir, definitionFile, masterKeys };
}
