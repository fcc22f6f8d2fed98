import { CipherlayerError } from '@cipherlayer/core';
import { MAX_STRING_BYTES } from '../lib/length-prefixed.js';

/**
 * Where a field lives. All of it is authenticated with the field (AES-GCM
 * AAD) and none of it is stored in the ciphertext: a ciphertext copied to
 * another table, column, row or tenant no longer decrypts.
 */
export interface FieldContext {
  readonly table: string;
  readonly column: string;
  /** The row's primary key. Leave it out only for tables that opt out of row binding. */
  readonly row?: string | number | bigint | undefined;
  readonly tenant?: string | undefined;
}

function tooLong(): CipherlayerError {
  return new CipherlayerError('ERR_TOO_LARGE', { detail: 'a context string is longer than 65535 bytes' });
}

/**
 * Writes `value` as UTF-8 at `at`, returning its length. Context strings are
 * short and nearly always ASCII: a loop over their code units is cheaper than
 * a call into Buffer.write, which is kept for anything else.
 */
function writeUtf8(out: Buffer, at: number, value: string): number {
  const length = value.length;
  if (length <= 64) {
    let i = 0;
    for (; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) break;
      out[at + i] = code;
    }
    if (i === length) return length;
  }
  return out.write(value, at, 'utf8');
}

/** lp(value) at `at`; returns the offset after it. `out` has room for 2 + 3 bytes per UTF-16 unit. */
function writeLp(out: Buffer, at: number, value: string): number {
  const length = writeUtf8(out, at + 2, value);
  if (length > MAX_STRING_BYTES) throw tooLong();
  out[at] = length >>> 8;
  out[at + 1] = length & 0xff;
  return at + 2 + length;
}

function writeOpt(out: Buffer, at: number, value: string | undefined): number {
  if (value === undefined) {
    out[at] = 0;
    return at + 1;
  }
  out[at] = 1;
  return writeLp(out, at + 1, value);
}

/**
 * lp(table) ‖ lp(column), the same for every row of a column: encoded once
 * and kept (the set of tables and columns is small and fixed by the
 * definitions; the cache is bounded anyway).
 */
const MAX_CACHED_COLUMNS = 10_000;
const columnParts = new Map<string, Map<string, Buffer>>();
let cachedColumns = 0;

function columnPart(table: string, column: string): Buffer {
  let byColumn = columnParts.get(table);
  let part = byColumn?.get(column);
  if (part !== undefined) return part;
  const scratch = Buffer.allocUnsafe(4 + 3 * (table.length + column.length));
  part = Buffer.from(scratch.subarray(0, writeLp(scratch, writeLp(scratch, 0, table), column)));
  if (cachedColumns >= MAX_CACHED_COLUMNS) {
    columnParts.clear();
    cachedColumns = 0;
    byColumn = undefined;
  }
  if (byColumn === undefined) {
    byColumn = new Map();
    columnParts.set(table, byColumn);
  }
  byColumn.set(column, part);
  cachedColumns++;
  return part;
}

/**
 * The field AAD (spec/records.md): the first `prefix.length` bytes of the
 * header (version, algorithm, key id), then lp(table) ‖ lp(column) ‖
 * opt(tenant) ‖ opt(row). Written into one buffer: this is on every
 * encryption and decryption.
 */
const SCRATCH = Buffer.allocUnsafe(4096);

/**
 * As fieldAad, but written into a buffer shared by every call when it fits:
 * the result is valid only until the next call, so it must be used at once
 * (setAAD right after, with no await in between).
 */
export function fieldAadScratch(prefix: Uint8Array, context: FieldContext): Buffer {
  return fieldAad(prefix, context, SCRATCH);
}

export function fieldAad(prefix: Uint8Array, context: FieldContext, scratch?: Buffer): Buffer {
  const { table, column, tenant } = context;
  const row = context.row === undefined ? undefined : String(context.row);
  const names = columnPart(table, column);
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  const room =
    prefix.length +
    names.length +
    2 +
    (tenant === undefined ? 0 : 2 + 3 * tenant.length) +
    (row === undefined ? 0 : 2 + 3 * row.length);
  if (room > 8 * MAX_STRING_BYTES) throw tooLong();
  const out = scratch !== undefined && room <= scratch.length ? scratch : Buffer.allocUnsafe(room);
  out.set(prefix, 0);
  names.copy(out, prefix.length);
  let at = writeOpt(out, prefix.length + names.length, tenant);
  at = writeOpt(out, at, row);
  return out.subarray(0, at);
}

/** The context part of the field AAD alone, as the spec writes it down. */
export function encodeFieldContext(context: FieldContext): Buffer {
  return fieldAad(new Uint8Array(0), context);
}
