import { randomUUID } from 'node:crypto';
import { hashPassword } from './auth.js';
import type { BankDatabase } from './db.js';

/**
 * The demo customers, written on the first run (through @cipherlayer/records,
 * so they are encrypted at rest like everything else). The passwords are
 * printed at startup: this is a demo bank, and these are its only users.
 */
export interface DemoUser {
  readonly username: string;
  readonly password: string;
  readonly fullName: string;
  readonly email: string;
  readonly phone: string;
  readonly nationalId: string;
  readonly accounts: readonly DemoAccount[];
}

export interface DemoAccount {
  readonly name: string;
  readonly number: string;
  /** Statement lines, oldest first: [days ago, description, cents]. */
  readonly history: readonly (readonly [number, string, number])[];
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'alice',
    password: 'alice-demo-2026',
    fullName: 'Alice Martin',
    email: 'alice@example.org',
    phone: '+44 7700 900123',
    nationalId: 'QQ 12 34 56 C',
    accounts: [
      {
        name: 'Current account',
        number: 'CL07 4410 2839 5521 06',
        history: [
          [40, 'Opening deposit', 180_000],
          [30, 'Salary, Northwind Ltd', 321_540],
          [28, 'Rent, Harbour Lettings', -125_000],
          [12, 'Groceries, Market Hall', -8_635],
          [5, 'Electricity, Volt Energy', -22_830],
        ],
      },
      {
        name: 'Savings',
        number: 'CL61 4410 7730 0194 52',
        history: [
          [40, 'Opening deposit', 1_200_000],
          [10, 'Interest', 3_864],
        ],
      },
    ],
  },
  {
    username: 'bob',
    password: 'bob-demo-2026',
    fullName: 'Bob Okafor',
    email: 'bob@example.org',
    phone: '+44 7700 900456',
    nationalId: 'AB 98 76 54 D',
    accounts: [
      {
        name: 'Current account',
        number: 'CL29 4410 5566 8812 37',
        history: [
          [35, 'Opening deposit', 95_000],
          [30, 'Salary, Contoso', 210_418],
        ],
      },
    ],
  },
];

/** The balance a demo account ends with (cents). */
export function demoBalance(account: DemoAccount): number {
  return account.history.reduce((sum, [, , cents]) => sum + cents, 0);
}

/** Writes the demo users if the bank has no user yet; returns whether it did. */
export async function seedDemoUsers(bank: BankDatabase, now: number): Promise<boolean> {
  const { rows } = await bank.db.query<{ count: string | number }>(
    `SELECT count(*) AS count FROM ${bank.table('users')}`,
  );
  if (Number(rows[0]?.count ?? 0) > 0) return false;
  // scrypt runs on libuv's threads: the hashes are made side by side.
  const hashes = await Promise.all(DEMO_USERS.map((user) => hashPassword(user.password)));
  for (const [n, user] of DEMO_USERS.entries()) {
    const userId = randomUUID();
    await bank.tables.users.insert({
      id: userId,
      username: user.username,
      password_hash: hashes[n],
      full_name: user.fullName,
      email: user.email,
      phone: user.phone,
      national_id: user.nationalId,
    });
    for (const [position, account] of user.accounts.entries()) {
      const accountId = randomUUID();
      await bank.tables.accounts.insert({
        id: accountId,
        user_id: userId,
        name: account.name,
        currency: 'EUR',
        position,
        number: account.number,
        balance: demoBalance(account),
      });
      let balance = 0;
      for (const [daysAgo, description, cents] of account.history) {
        balance += cents;
        const { rows: seq } = await bank.db.query<{ seq: string }>(
          `SELECT nextval('${bank.table('entries')}_seq'::regclass) AS seq`,
        );
        await bank.tables.entries.insert({
          id: randomUUID(),
          account_id: accountId,
          posted_at: new Date(now - daysAgo * 86_400_000).toISOString(),
          seq: seq[0]?.seq,
          description,
          counterparty: null,
          amount: cents,
          balance_after: balance,
        });
      }
    }
  }
  return true;
}
