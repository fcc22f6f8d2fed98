/**
 * Checks of what the page sends, with the messages the user reads. Bodies
 * arrive here decrypted: validation is the app's job as it always was.
 */

/** An answer the user should read: 400 for bad input, 401, 404, 422 for a rule of the bank. */
export class BankProblem extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 422,
    readonly problem: string,
    readonly field?: string,
  ) {
    super(problem);
    this.name = 'BankProblem';
  }

  toJSON(): { problem: string; field?: string } {
    return this.field === undefined
      ? { problem: this.problem }
      : { problem: this.problem, field: this.field };
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BankProblem(400, 'The request must be a JSON object.');
  return body as Record<string, unknown>;
}

function text(body: Record<string, unknown>, field: string, problem: string, max: number): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    throw new BankProblem(400, problem, field);
  return value.trim();
}

export interface LoginInput {
  readonly username: string;
  readonly password: string;
}

export function parseLogin(body: unknown): LoginInput {
  const input = objectBody(body);
  return {
    username: text(input, 'username', 'Enter your username.', 64),
    password: (() => {
      const value = input.password;
      if (typeof value !== 'string' || value.length === 0 || value.length > 256)
        throw new BankProblem(400, 'Enter your password.', 'password');
      return value;
    })(),
  };
}

/** Account numbers are compared without spaces, in capitals (IBAN style: CL07 4410 2839 5521 06). */
export function normalizeAccountNumber(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

export interface TransferInput {
  readonly from: string;
  readonly to: string;
  /** Cents. */
  readonly amount: number;
  readonly memo: string;
}

const MAX_TRANSFER_CENTS = 100_000_000;

/** "125.5", "125.50" or 125.5 → 12550 cents; anything else is a 400 the user can act on. */
export function parseAmount(value: unknown): number {
  const textValue = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const match = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(textValue);
  const cents =
    match === null ? Number.NaN : Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
  if (!Number.isSafeInteger(cents) || cents <= 0 || cents > MAX_TRANSFER_CENTS)
    throw new BankProblem(
      400,
      'Enter an amount between 0.01 and 1,000,000.00, with at most two decimals.',
      'amount',
    );
  return cents;
}

export function parseTransfer(body: unknown): TransferInput {
  const input = objectBody(body);
  const from = text(input, 'from', 'Choose the account to pay from.', 64);
  const to = normalizeAccountNumber(text(input, 'to', "Enter the payee's account number.", 64));
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$/.test(to))
    throw new BankProblem(400, 'That is not an account number (like CL07 4410 2839 5521 06).', 'to');
  const memo =
    input.memo === undefined || input.memo === ''
      ? ''
      : text(input, 'memo', 'The reference is at most 80 characters.', 80);
  return { from, to, amount: parseAmount(input.amount), memo };
}

export interface ProfileInput {
  readonly email: string;
  readonly phone: string;
  readonly nationalId: string;
}

export function parseProfile(body: unknown): ProfileInput {
  const input = objectBody(body);
  const email = text(input, 'email', 'Enter your email address.', 120);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw new BankProblem(400, 'That email address does not look right (name@example.org).', 'email');
  const phone = text(input, 'phone', 'Enter your phone number.', 32);
  if (!/^\+?[0-9][0-9 ()-]{5,24}$/.test(phone))
    throw new BankProblem(400, 'A phone number has digits, spaces and an optional leading +.', 'phone');
  const nationalId = text(input, 'nationalId', 'Enter your national id number.', 32).toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9 -]{4,30}$/.test(nationalId))
    throw new BankProblem(400, 'A national id has letters, digits, spaces and dashes only.', 'nationalId');
  return { email, phone, nationalId };
}
