import { isCipherlayerError } from '@cipherlayer/core';
import { type BlindIndexer, indexGeneration } from '../blind-index/blind-index.js';
import type { Row } from '../db/database.js';
import type { FieldCipher } from '../fields/field-cipher.js';
import { toSealedText } from '../format/field-ciphertext.js';
import { decodeValue } from '../format/values.js';
import type { ResolvedField, ResolvedTable } from '../table/definition.js';
import { fieldContext, indexTarget, type RowIdentity } from '../table/row-codec.js';
import { rowDigest } from './checksum.js';
import type { JobProblem } from './job-store.js';

/** A field that does not decrypt: hashed as this marker, which no plaintext equals (they start with a type byte ≤ 7). */
const UNREADABLE = Buffer.from([0xff, ...Buffer.from('unreadable')]);

export type InspectMode = 'rewrite' | 'verify' | 'verify-indexes';

/** Errors that belong to one stored value (they mark that row); any other error stops the job. */
const ROW_ERRORS = new Set(['ERR_DECRYPT', 'ERR_MALFORMED', 'ERR_SUITE_NOT_ALLOWED']);

export interface InspectedRow {
  readonly id: string;
  /** SHA-256 of the row's id and plaintexts (see checksum.ts). */
  readonly digest: Buffer;
  /** The row's field and index values after the job (ciphertexts as stored: text or bytes). */
  readonly values: Map<string, unknown>;
  readonly changed: boolean;
  readonly problems: JobProblem[];
  /** The data key of each encrypted field. */
  readonly keyIds: string[];
}

/**
 * One row of a table as the re-encryption job and verification see it:
 * every field decrypted (which authenticates it), its plaintext bytes
 * hashed, and, when re-encrypting, fields under a retiring key sealed again
 * under the active key and stale blind indexes recomputed.
 */
export class RowRewriter {
  readonly #table: ResolvedTable;
  readonly #cipher: FieldCipher;
  readonly #indexer: BlindIndexer;
  readonly #fromKeys: ReadonlySet<string>;
  readonly #reindex: boolean;

  constructor(
    table: ResolvedTable,
    cipher: FieldCipher,
    indexer: BlindIndexer,
    fromKeys: ReadonlySet<string>,
    reindex: boolean,
  ) {
    this.#table = table;
    this.#cipher = cipher;
    this.#indexer = indexer;
    this.#fromKeys = fromKeys;
    this.#reindex = reindex;
  }

  /**
   * Rows are as SQL returns them (column names). "rewrite": re-encrypt and
   * re-index what needs it. "verify": check and hash only, blind indexes by
   * generation (the job's own check). "verify-indexes": as verify, and every
   * blind index value recomputed.
   */
  async inspect(row: Row, mode: InspectMode, activeGeneration: number): Promise<InspectedRow> {
    const rewrite = mode === 'rewrite';
    const table = this.#table;
    const id = String(row[table.id.column]);
    const tenantValue = table.tenant === undefined ? undefined : row[table.tenant.column];
    const identity: RowIdentity = {
      row: table.bindRow ? id : undefined,
      tenant: tenantValue === undefined || tenantValue === null ? undefined : String(tenantValue),
    };
    const values = new Map<string, unknown>();
    const plaintexts: (Uint8Array | null)[] = [];
    const problems: JobProblem[] = [];
    const keyIds: string[] = [];
    let changed = false;

    for (const field of table.fields) {
      const stored = row[field.column] as string | Uint8Array | null;
      values.set(field.column, stored);
      if (field.index && this.#reindex) values.set(field.index.column, row[field.index.column] ?? null);
      if (stored === null || stored === undefined) {
        plaintexts.push(null);
        continue;
      }
      const context = fieldContext(table, field, identity);
      let opened: { keyId: string; plaintext: Buffer };
      try {
        opened = await this.#cipher.openPlaintext(stored, context);
      } catch (error) {
        if (!isCipherlayerError(error) || !ROW_ERRORS.has(error.code)) throw error;
        plaintexts.push(UNREADABLE);
        problems.push({ row: id, field: field.key, problem: `does not decrypt (${error.code})` });
        continue;
      }
      plaintexts.push(opened.plaintext);
      keyIds.push(opened.keyId);
      const fieldChanged = this.#fromKeys.has(opened.keyId);
      if (fieldChanged) {
        if (rewrite) {
          const sealed = await this.#cipher.sealPlaintext(opened.plaintext, context);
          values.set(field.column, field.storage === 'bytea' ? sealed : toSealedText(sealed));
          changed = true;
        } else {
          problems.push({ row: id, field: field.key, problem: `still under data key ${opened.keyId}` });
        }
      }
      if (field.index && this.#reindex) {
        const indexProblem = await this.#checkIndex(
          field,
          row,
          identity,
          opened.plaintext,
          activeGeneration,
          mode,
          values,
        );
        if (indexProblem === 'rewritten') changed = true;
        else if (indexProblem !== undefined)
          problems.push({ row: id, field: field.key, problem: indexProblem });
      }
    }
    return { id, digest: rowDigest(id, plaintexts), values, changed, problems, keyIds };
  }

  async #checkIndex(
    field: ResolvedField,
    row: Row,
    identity: RowIdentity,
    plaintext: Buffer,
    activeGeneration: number,
    mode: InspectMode,
    values: Map<string, unknown>,
  ): Promise<string | undefined> {
    const index = field.index as NonNullable<ResolvedField['index']>;
    const stored = row[index.column];
    const rewrite = mode === 'rewrite';
    // The job trusts an index of the active generation (it wrote it); only records.verify recomputes them all.
    if (
      mode !== 'verify-indexes' &&
      typeof stored === 'string' &&
      indexGeneration(stored) === activeGeneration
    )
      return undefined;
    const value = decodeValue(plaintext);
    const expected =
      value === null
        ? null
        : await this.#indexer.forWrite(indexTarget(this.#table, field, identity.tenant), value);
    if (expected === stored) return undefined;
    if (!rewrite) return 'blind index is not current';
    values.set(index.column, expected);
    return 'rewritten';
  }
}
