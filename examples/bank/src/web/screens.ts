/**
 * The screens of the bank: each loads what it shows through BankApi (plain
 * JSON in and out) and fills the elements of index.html.
 */
import type { Answer, BankApi } from './api';
import { day, money } from './format';

export interface Account {
  id: string;
  name: string;
  number: string;
  balance: number;
  currency: string;
}
export interface StatementEntry {
  id: string;
  postedAt: string;
  description: string;
  counterparty: string | null;
  amount: number;
  balanceAfter: number;
}
export interface Profile {
  username: string;
  fullName: string;
  email: string;
  phone: string;
  nationalId: string;
}
export interface Problem {
  problem: string;
  field?: string;
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`#${id} is missing from index.html`);
  return found as T;
};
export const input = (id: string) => $<HTMLInputElement>(id);

/** The bank's message in a failed answer ({ problem }), or a generic one. */
export function problemOf(answer: Answer<unknown>): string {
  const body = answer.body as Problem | null;
  return typeof body?.problem === 'string' ? body.problem : `The bank answered ${answer.status}.`;
}

/** The login ended (a 401 from the bank): the page goes back to the sign-in form with the message. */
export class SignedOut extends Error {}

/** An answer that must be OK; a 401 means the login ended. */
export function expectOk<T>(answer: Answer<T | Problem>): T {
  if (answer.status === 401) throw new SignedOut(problemOf(answer));
  if (!answer.ok) throw new Error(problemOf(answer));
  return answer.body as T;
}

export async function loadAccounts(api: BankApi): Promise<Account[]> {
  return expectOk(await api.data<{ accounts: Account[] } | Problem>('Accounts', 'GET', '/accounts')).accounts;
}

/** The accounts list; `open` shows an account's statement. */
export async function renderAccounts(api: BankApi, open: (accountId: string) => void): Promise<void> {
  const list = $('accounts');
  const items = (await loadAccounts(api)).map((account) => {
    const item = document.createElement('li');
    item.dataset.accountId = account.id;
    item.innerHTML = '<div><strong></strong><span class="number"></span></div><span class="balance"></span>';
    item.querySelector('strong')!.textContent = account.name;
    item.querySelector('.number')!.textContent = account.number;
    item.querySelector('.balance')!.textContent = money(account.balance, account.currency);
    item.tabIndex = 0;
    item.title = 'Show the statement';
    item.addEventListener('click', () => open(account.id));
    return item;
  });
  list.replaceChildren(...items);
}

export async function renderStatement(api: BankApi, accountId: string): Promise<void> {
  const answer = await api.data<{ account: Account; entries: StatementEntry[] } | Problem>(
    'Statement',
    'GET',
    `/accounts/${encodeURIComponent(accountId)}/statement`,
  );
  const { account, entries } = expectOk(answer);
  $('statement-title').textContent = `${account.name} statement`;
  $('statement-summary').textContent =
    `${account.number} · balance ${money(account.balance, account.currency)}`;
  $('statement').replaceChildren(
    ...entries.map((entry) => {
      const row = document.createElement('tr');
      const cells = [
        day(entry.postedAt),
        entry.description,
        entry.counterparty ?? '',
        money(entry.amount, account.currency),
        money(entry.balanceAfter, account.currency),
      ];
      for (const [i, text] of cells.entries()) {
        const cell = document.createElement('td');
        cell.textContent = text;
        if (i >= 3) cell.className = i === 3 && entry.amount < 0 ? 'num out' : 'num';
        row.append(cell);
      }
      return row;
    }),
  );
}

export async function renderTransfer(api: BankApi): Promise<void> {
  const select = $<HTMLSelectElement>('transfer-from');
  const options = (await loadAccounts(api)).map((account) => {
    const option = document.createElement('option');
    option.value = account.id;
    option.textContent = `${account.name} (${money(account.balance, account.currency)})`;
    return option;
  });
  const chosen = select.value;
  select.replaceChildren(...options);
  if (options.some((o) => o.value === chosen)) select.value = chosen;
}

export async function renderProfile(api: BankApi): Promise<void> {
  const { profile } = expectOk(await api.data<{ profile: Profile } | Problem>('Profile', 'GET', '/profile'));
  $('profile-name').textContent = `${profile.fullName} (${profile.username})`;
  input('profile-email').value = profile.email;
  input('profile-phone').value = profile.phone;
  input('profile-national-id').value = profile.nationalId;
}
