import { createCipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import {
  connectPostgres,
  LocalKeyring,
  openRecords,
  pgDatabase,
  type Records,
  type TableDefinition,
} from '@cipherlayer/records';
import { type BenchGroup, type Mode, ratioAtMost, type Variant } from '../group.js';

const BARE = 'bare AES-256-GCM encrypt of the same bytes (node:crypto)';
const FIELD_TEXT = 'records.encrypt, one short field, cached data key (text form)';
const FIELD_BYTES = 'records.encryptToBytes, same field (bytea form)';
const INSERT_PLAIN = 'INSERT rows in plaintext (pg, unnest arrays as insertMany)';
const INSERT_ENCRYPTED = 'INSERT rows with 3 encrypted fields (table.insertMany)';
const FLOOR = 'crypto floor of those rows: 3 × bare AES-256-GCM + 1 HMAC-SHA256 per row (node:crypto)';
const JOB = 're-encryption job (rotate, re-encrypt, verify)';

const FIELD = 'alice.smith@example.com';
const CONTEXT = { table: 'people', column: 'email', row: '123456', tenant: 'acme' } as const;

const PEOPLE: TableDefinition = {
  table: 'people',
  id: 'id',
  tenant: 'tenant',
  fields: {
    email: { type: 'string', blindIndex: { key: 'email_idx', normalize: ['trim', 'lowercase'] } },
    ssn: { type: 'string' },
    profile: { type: 'json' },
  },
};

const row = (i: number) => ({
  id: i,
  tenant: `tenant-${i % 16}`,
  email: `person.${i}@example.com`,
  ssn: `${100 + (i % 900)}-${String(i % 100).padStart(2, '0')}-${String(i).padStart(6, '0')}`,
  profile: { n: i, name: `Name ${i}`, tags: i % 3 === 0 ? ['vip'] : [] },
  note: `note ${i}`,
});

/** Rows per insert operation and per job: 100k as the issue asks; 1,000 in quick mode, which must stay under a minute in all. */
const rowsFor = (mode: Mode) => (mode.name === 'quick' ? 1_000 : 100_000);
const CHUNK = 1000;

function bareEncrypt(): () => Buffer {
  const key = createSecretKey(randomBytes(32));
  const plaintext = Buffer.from(FIELD, 'utf8');
  return () => {
    const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
    const out = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    cipher.getAuthTag();
    return out;
  };
}

/**
 * What three encrypted fields and a blind index cost at the least, with no
 * format, context or key management: the same values sealed by bare
 * node:crypto calls and one HMAC per row. The encrypted insert cannot be
 * faster than its own rows' crypto plus the database's work.
 */
function cryptoFloor(rows: readonly ReturnType<typeof row>[]): () => void {
  const key = createSecretKey(randomBytes(32));
  const macKey = createSecretKey(randomBytes(32));
  const seal = (text: string) => {
    const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
    cipher.update(text, 'utf8');
    cipher.final();
    return cipher.getAuthTag();
  };
  return () => {
    for (const r of rows) {
      seal(r.email);
      seal(r.ssn);
      seal(JSON.stringify(r.profile));
      createHmac('sha256', macKey).update(r.email).digest();
    }
  };
}

export const records: BenchGroup = {
  name: 'records',
  title: 'Records at rest: field encryption, inserts, re-encryption (PostgreSQL)',
  description:
    'One short field encrypted with a cached data key (AES-256-GCM with the field context as AAD, key id ' +
    'and nonce in the header, base64url for text columns) against a bare node:crypto AES-256-GCM of the ' +
    'same bytes; inserts of rows with three encrypted fields and a blind index against the same rows in ' +
    'plaintext on the local PostgreSQL; and the data key re-encryption job. Rows per second are wall-clock ' +
    'figures: divide the rows of an operation by its wall time (the runner checks CPU targets only).',

  async setup(mode) {
    const rows = rowsFor(mode);
    const schema = `clbench_${randomBytes(4).toString('hex')}`;
    const pool = await connectPostgres({
      connectionString: 'postgres://postgres@127.0.0.1:5432/test',
      max: 4,
      options: `-c search_path=${schema}`,
    });
    await pool.query(`CREATE SCHEMA ${schema}`);
    const teardown = async () => {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    };
    try {
      await pool.query(
        `CREATE TABLE people (id bigint PRIMARY KEY, tenant text NOT NULL, email text, email_idx text, ssn text,
          profile text, note text)`,
      );
      await pool.query('CREATE INDEX ON people (email_idx)');
      await pool.query(
        'CREATE TABLE plain_people (id bigint PRIMARY KEY, tenant text NOT NULL, email text, ssn text, profile text, note text)',
      );
      await pool.query('CREATE INDEX ON plain_people (email)');
      await pool.query('CREATE TABLE job_people (LIKE people INCLUDING ALL)');

      const db: Records = await openRecords({
        db: pgDatabase(pool),
        keyring: new LocalKeyring({
          name: 'bench',
          keys: [{ id: 'k1', key: new Uint8Array(randomBytes(32)) }],
        }),
      });
      const people = db.table(PEOPLE);
      const jobPeople = db.table({ ...PEOPLE, table: 'job_people' });

      // Checks: each variant does the work it claims.
      const sealed = await db.encrypt(FIELD, CONTEXT);
      if ((await db.decrypt(sealed, CONTEXT)) !== FIELD) throw new Error('field round trip failed');
      const source = Array.from({ length: rows }, (_, i) => row(i));
      // The same statement shape as insertMany (one array per column through unnest), in plaintext.
      const plainSql = (chunk: typeof source) =>
        pool.query(
          `INSERT INTO plain_people (id, tenant, email, ssn, profile, note)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
          [
            chunk.map((r) => r.id),
            chunk.map((r) => r.tenant),
            chunk.map((r) => r.email),
            chunk.map((r) => r.ssn),
            chunk.map((r) => JSON.stringify(r.profile)),
            chunk.map((r) => r.note),
          ],
        );
      await jobPeople.insertMany(source);
      const verified = await db.verify(jobPeople);
      if (verified.rows !== rows || verified.problems.length > 0) throw new Error('job table did not verify');

      const bare = bareEncrypt();
      let jobRuns = 0;
      const variants: Variant[] = [
        { name: BARE, operation: { sync: bare } },
        {
          name: FIELD_TEXT,
          versus: BARE,
          targets: [ratioAtMost(2, 'within 2× of bare AES-256-GCM')],
          operation: { async: () => db.encrypt(FIELD, CONTEXT) },
        },
        { name: FIELD_BYTES, versus: BARE, operation: { async: () => db.encryptToBytes(FIELD, CONTEXT) } },
        {
          name: INSERT_PLAIN,
          maxIterations: 1,
          prepare: async () => {
            await pool.query('TRUNCATE plain_people');
          },
          operation: {
            async: async () => {
              for (let start = 0; start < rows; start += CHUNK)
                await plainSql(source.slice(start, start + CHUNK));
            },
          },
        },
        {
          name: INSERT_ENCRYPTED,
          versus: INSERT_PLAIN,
          maxIterations: 1,
          prepare: async () => {
            await pool.query('TRUNCATE people');
          },
          operation: {
            async: async () => {
              for (let start = 0; start < rows; start += CHUNK)
                await people.insertMany(source.slice(start, start + CHUNK));
            },
          },
        },
        { name: FLOOR, versus: INSERT_ENCRYPTED, maxIterations: 1, operation: { sync: cryptoFloor(source) } },
        {
          name: JOB,
          maxIterations: 1,
          // Untimed: the keys of every scope become retiring, so the job has every row to move; the dead
          // rows of the previous run are vacuumed, as they would be before a real rotation.
          prepare: async () => {
            await pool.query('VACUUM job_people');
            await db.rotateDataKeys();
          },
          operation: {
            async: async () => {
              const result = await db.reencrypt(jobPeople, { name: `bench-${++jobRuns}` }).run();
              if (result.outcome !== 'done' || result.rowsChanged !== rows)
                throw new Error(`job ${result.outcome}`);
            },
          },
        },
      ];
      return {
        variants,
        teardown: async () => {
          await db.close();
          await teardown();
        },
        notes: [
          `${BARE}: createCipheriv with a KeyObject and \`randomBytes(12)\`, update + final + getAuthTag of the ${Buffer.byteLength(FIELD)} bytes of "${FIELD}", no AAD.`,
          `${FIELD_TEXT}: \`records.encrypt(value, { table, column, row, tenant })\` with the data key cached and its message budget reserved; one type byte, a 22-byte header, the context as AAD, "clr1." + base64url. Awaited one at a time, so the promise is in the cost.`,
          `insert rows: one operation inserts ${rows.toLocaleString('en-US')} rows (16 tenants) in INSERTs of ${CHUNK} rows, one array per column through unnest for both, the table truncated before each (untimed); the encrypted rows carry 3 ciphertexts and a 32-bit blind index (indexed), the plaintext rows the same values (email indexed). Rows/s = ${rows.toLocaleString('en-US')} / wall time; the target is at least 0.5× the plaintext rows/s.`,
          `${JOB}: one operation re-encrypts and then verifies all ${rows.toLocaleString('en-US')} rows (3 fields each, batches of 2000 rows, one transaction each, rows locked FOR UPDATE); the data keys are rotated and the table vacuumed before each operation (untimed). Rows/s = ${rows.toLocaleString('en-US')} / wall time; the target is at least 10,000 rows/s.`,
          "CPU is this process only: PostgreSQL's own CPU (another process on the same 2 cores) is in the wall time, not in the CPU column.",
        ],
      };
    } catch (error) {
      await teardown();
      throw error;
    }
  },
};
