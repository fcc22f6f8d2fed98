import { randomUUID } from 'node:crypto';
import type { SqlClient } from '@cipherlayer/records';
import type { BankDatabase } from './db.js';
import { BankProblem, type ProfileInput, type TransferInput } from './validation.js';

/**
 * The bank itself: accounts, statements, transfers and profiles, read and
 * written through @cipherlayer/records. This code handles plaintext; the
 * table definitions in db.ts decide what reaches the database encrypted.
 */

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly number: string;
  /** Cents. */
  readonly balance: number;
  readonly currency: string;
}

export interface StatementEntry {
  readonly id: string;
  readonly postedAt: string;
  readonly description: string;
  readonly counterparty: string | null;
  /** Cents; negative when money went out. */
  readonly amount: number;
  readonly balanceAfter: number;
}

export interface Profile {
  readonly username: string;
  readonly fullName: string;
  readonly email: string;
  readonly phone: string;
  readonly nationalId: string;
}

type AccountRow = {
  id: string;
  user_id: string;
  name: string;
  currency: string;
  number: string;
  balance: number;
};

type EntryRow = {
  id: string;
  posted_at: Date | string;
  description: string;
  counterparty: string | null;
  amount: number;
  balance_after: number;
};

const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  name: row.name,
  number: row.number,
  balance: row.balance,
  currency: row.currency,
});

export async function listAccounts(bank: BankDatabase, userId: string): Promise<Account[]> {
  const rows = await bank.tables.accounts.query<AccountRow>(
    `SELECT * FROM ${bank.table('accounts')} WHERE user_id = $1 ORDER BY position`,
    [userId],
  );
  return rows.map(toAccount);
}

export async function statement(
  bank: BankDatabase,
  userId: string,
  accountId: string,
): Promise<{ account: Account; entries: StatementEntry[] }> {
  const [account] = await bank.tables.accounts.query<AccountRow>(
    `SELECT * FROM ${bank.table('accounts')} WHERE id = $1 AND user_id = $2`,
    [accountId, userId],
  );
  if (account === undefined) throw new BankProblem(404, 'There is no such account.');
  const rows = await bank.tables.entries.query<EntryRow>(
    `SELECT * FROM ${bank.table('entries')} WHERE account_id = $1 ORDER BY seq DESC LIMIT 100`,
    [accountId],
  );
  return {
    account: toAccount(account),
    entries: rows.map((row) => ({
      id: row.id,
      postedAt: new Date(row.posted_at).toISOString(),
      description: row.description,
      counterparty: row.counterparty,
      amount: row.amount,
      balanceAfter: row.balance_after,
    })),
  };
}

async function lockAccount(
  bank: BankDatabase,
  client: SqlClient,
  id: string,
): Promise<AccountRow | undefined> {
  const [row] = await bank.tables.accounts.query<AccountRow>(
    `SELECT * FROM ${bank.table('accounts')} WHERE id = $1 FOR UPDATE`,
    [id],
    { client },
  );
  return row;
}

/** One side of a transfer: the new balance and its statement line. */
async function post(
  bank: BankDatabase,
  client: SqlClient,
  account: AccountRow,
  amount: number,
  description: string,
  counterparty: string,
  postedAt: Date,
): Promise<number> {
  const balance = account.balance + amount;
  await bank.tables.accounts.update({ id: account.id }, { balance }, { client });
  const { rows } = await client.query<{ seq: string }>(
    `SELECT nextval('${bank.table('entries')}_seq'::regclass) AS seq`,
  );
  await bank.tables.entries.insert(
    {
      id: randomUUID(),
      account_id: account.id,
      posted_at: postedAt.toISOString(),
      seq: rows[0]?.seq,
      description,
      counterparty,
      amount,
      balance_after: balance,
    },
    { client },
  );
  return balance;
}

export interface TransferResult {
  readonly id: string;
  readonly from: Account;
  readonly amount: number;
  readonly to: string;
}

/**
 * Moves money between two accounts in one transaction. The payee is found
 * by account number through the blind index; both rows are locked (in id
 * order, so two opposite transfers cannot deadlock) before the balance is
 * checked.
 */
export async function transfer(
  bank: BankDatabase,
  userId: string,
  input: TransferInput,
  now: number,
): Promise<TransferResult> {
  return await bank.db.transaction(async (client) => {
    const [payee] = await bank.tables.accounts.findBy<AccountRow>('number', input.to, { client });
    if (payee === undefined) throw new BankProblem(422, 'There is no account with that number.', 'to');
    if (payee.id === input.from)
      throw new BankProblem(422, 'Choose a payee other than the paying account.', 'to');
    const [first, second] = [input.from, payee.id].sort();
    const locked = new Map<string, AccountRow>();
    for (const id of [first, second] as string[]) {
      const row = await lockAccount(bank, client, id);
      if (row !== undefined) locked.set(id, row);
    }
    const from = locked.get(input.from);
    const to = locked.get(payee.id);
    if (from === undefined || from.user_id !== userId)
      throw new BankProblem(404, 'There is no such account to pay from.', 'from');
    if (to === undefined) throw new BankProblem(422, 'There is no account with that number.', 'to');
    if (from.currency !== to.currency)
      throw new BankProblem(422, 'Transfers between currencies are not supported.', 'to');
    if (from.balance < input.amount)
      throw new BankProblem(422, `Insufficient funds: ${from.name} does not hold that much.`, 'amount');
    const postedAt = new Date(now);
    const memo = input.memo === '' ? 'Transfer' : input.memo;
    const balance = await post(bank, client, from, -input.amount, memo, to.number, postedAt);
    await post(bank, client, to, input.amount, memo, from.number, postedAt);
    return {
      id: randomUUID(),
      from: toAccount({ ...from, balance }),
      amount: input.amount,
      to: to.number,
    };
  });
}

type UserRow = {
  id: string;
  username: string;
  full_name: string;
  email: string;
  phone: string;
  national_id: string;
};

export async function readProfile(bank: BankDatabase, userId: string): Promise<Profile> {
  const user = await bank.tables.users.get<UserRow>({ id: userId });
  if (user === undefined) throw new BankProblem(401, 'Please sign in again.');
  return {
    username: user.username,
    fullName: user.full_name,
    email: user.email,
    phone: user.phone,
    nationalId: user.national_id,
  };
}

export async function updateProfile(
  bank: BankDatabase,
  userId: string,
  input: ProfileInput,
): Promise<Profile> {
  const updated = await bank.tables.users.update(
    { id: userId },
    { email: input.email, phone: input.phone, national_id: input.nationalId },
  );
  if (updated !== 1) throw new BankProblem(401, 'Please sign in again.');
  return await readProfile(bank, userId);
}
