/**
 * What every HTTP variant serves: the same JSON document, exactly 1 KiB once
 * serialised with JSON.stringify, and the routes it is served on. Servers and
 * the load generator both import this file, so they cannot disagree on it.
 */

export const DOCUMENT_BYTES = 1024;

/** GET: answers the document. */
export const GET_PATH = '/api/account';
/** POST: answers the JSON body it was sent (1 KiB: the document). */
export const ECHO_PATH = '/api/echo';

interface AccountDocument {
  readonly account: string;
  readonly owner: string;
  readonly currency: string;
  readonly balance: number;
  readonly transactions: readonly {
    readonly id: number;
    readonly date: string;
    readonly amount: number;
    readonly counterparty: string;
  }[];
  readonly note: string;
}

/**
 * An account statement, padded in `note` to `bytes` once serialised: a few
 * nested objects and numbers, as an API would answer, rather than one long
 * string (JSON.stringify costs more per byte on structure).
 */
export function accountDocument(bytes: number = DOCUMENT_BYTES): AccountDocument {
  const transactions = Array.from({ length: 8 }, (_, i) => ({
    id: 4_711_000 + i,
    date: `2026-01-${String(10 + i).padStart(2, '0')}`,
    amount: Math.round((i % 2 === 0 ? -1 : 1) * (12.5 + i * 37.25) * 100) / 100,
    counterparty: `DE89 3704 0044 0532 0130 ${String(i).padStart(2, '0')}`,
  }));
  const base = {
    account: 'DE44 5001 0517 5407 3249 31',
    owner: 'Alice Example',
    currency: 'EUR',
    balance: 2000.5,
    transactions,
    note: '',
  };
  const padding = bytes - JSON.stringify(base).length;
  if (padding < 0) throw new Error(`the document cannot be as small as ${bytes} bytes`);
  return { ...base, note: '.'.repeat(padding) };
}

export const DOCUMENT = accountDocument();
export const DOCUMENT_JSON = JSON.stringify(DOCUMENT);

const documents = new Map<number, string>([[DOCUMENT_BYTES, DOCUMENT_JSON]]);

/** The document padded to `bytes` once serialised (the POST bodies: 1 KiB, 64 KiB, 1 MiB), made once. */
export function documentJson(bytes: number): string {
  let json = documents.get(bytes);
  if (json === undefined) {
    json = JSON.stringify(accountDocument(bytes));
    documents.set(bytes, json);
  }
  return json;
}
