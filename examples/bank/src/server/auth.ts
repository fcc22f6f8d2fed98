import {
  createHash,
  randomBytes,
  randomUUID,
  type ScryptOptions,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import type { BankDatabase } from './db.js';

/**
 * Logins: scrypt password hashes, a user found by username through the
 * users table's blind index (the username is stored encrypted), and login
 * cookies whose SHA-256 is all the database keeps.
 */

/** scrypt at OWASP's recommended cost (N = 2^17, r = 8, p = 1): about 0.3 s and 128 MiB per hash. */
const SCRYPT: ScryptOptions = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };
const KEY_BYTES = 32;

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, SCRYPT, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt);
  return [
    'scrypt',
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, , , , salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash to check against when the username is unknown, so both answers take as long. */
let decoy: Promise<string> | undefined;

export interface AuthenticatedUser {
  readonly id: string;
  readonly fullName: string;
}

/** The user with this username and password, or undefined (either wrong: the caller cannot tell which). */
export async function authenticate(
  bank: BankDatabase,
  username: string,
  password: string,
): Promise<AuthenticatedUser | undefined> {
  const [user] = await bank.tables.users.findBy<{ id: string; full_name: string; password_hash: string }>(
    'username',
    username,
  );
  if (user === undefined) {
    decoy ??= hashPassword(randomUUID());
    await verifyPassword(password, await decoy);
    return undefined;
  }
  if (!(await verifyPassword(password, user.password_hash))) return undefined;
  return { id: user.id, fullName: user.full_name };
}

/** The name of the login cookie. HttpOnly: the page's scripts never see it. */
export const LOGIN_COOKIE = 'bank_login';

/** What the database and the cl1 session binding know a login by: the SHA-256 of its cookie. */
export function loginId(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export interface NewLogin {
  readonly token: string;
  readonly id: string;
  readonly expiresAt: Date;
}

export async function createLogin(
  bank: BankDatabase,
  userId: string,
  now: number,
  ttlMs: number,
): Promise<NewLogin> {
  const token = randomBytes(32).toString('base64url');
  const id = loginId(token);
  const expiresAt = new Date(now + ttlMs);
  await bank.db.query(`INSERT INTO ${bank.table('logins')} (id, user_id, expires_at) VALUES ($1, $2, $3)`, [
    id,
    userId,
    expiresAt.toISOString(),
  ]);
  return { token, id, expiresAt };
}

/** The user a login cookie belongs to, if the login exists and has not expired. */
export async function userOfLogin(
  bank: BankDatabase,
  token: string,
  now: number,
): Promise<string | undefined> {
  const { rows } = await bank.db.query<{ user_id: string }>(
    `SELECT user_id FROM ${bank.table('logins')} WHERE id = $1 AND expires_at > $2`,
    [loginId(token), new Date(now).toISOString()],
  );
  return rows[0]?.user_id;
}

export async function endLogin(bank: BankDatabase, token: string): Promise<void> {
  await bank.db.query(`DELETE FROM ${bank.table('logins')} WHERE id = $1`, [loginId(token)]);
}

/** The login cookie of a request, if any. */
export function loginCookie(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === LOGIN_COOKIE) {
      const token = value.join('=');
      return /^[A-Za-z0-9_-]{43}$/.test(token) ? token : undefined;
    }
  }
  return undefined;
}

export function loginCookieHeader(token: string, expiresAt: Date, secure: boolean): string {
  return `${LOGIN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Expires=${expiresAt.toUTCString()}${secure ? '; Secure' : ''}`;
}

export function clearedLoginCookieHeader(secure: boolean): string {
  return `${LOGIN_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
