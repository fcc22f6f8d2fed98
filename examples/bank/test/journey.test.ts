import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../packages/core/test/helpers/chromium.js';
import { recordNetwork, type SeenByBrowser } from '../../../tests/integration/helpers/browser.js';
import { type BankConfig, configFromEnvironment } from '../src/server/config.js';
import { DEMO_USERS, demoBalance } from '../src/server/seed.js';
import { type RunningBank, startBank } from '../src/server/start.js';
import { filesUnder, foundIn, moneyForms, readAll, spacedForms } from './helpers/secrets.js';

/**
 * The whole journey in headless Chromium (Debian's, through playwright-core)
 * against the real server on a free port, with PGlite in a temporary
 * folder: what the user sees at each step, then what the network carried
 * and what the database holds, neither of which may contain the secrets.
 */
const packageDir = fileURLToPath(new URL('../', import.meta.url));
const outputDir = join(packageDir, 'test-output');
const imagesDir = fileURLToPath(new URL('../../../docs/images/', import.meta.url));

const [alice, bob] = DEMO_USERS as [(typeof DEMO_USERS)[0], (typeof DEMO_USERS)[0]];
const [current, savings] = alice.accounts as [(typeof alice.accounts)[0], (typeof alice.accounts)[0]];
const bobAccount = bob.accounts[0]!;
const SENT = 12_550; // €125.50
const NEW_PHONE = '+44 7700 900777';
const NEW_NATIONAL_ID = 'QQ 65 43 21 A';
const WRONG_PASSWORD = 'alice-guess-2025';
const SESSION_TTL_MS = 20_000;

let work: string;
let config: BankConfig;
let running: RunningBank;
let browser: Browser;
let page: Page;
let network: Promise<SeenByBrowser>[];
/** Moves the servers' clock (sessions, logins), never the browser's. */
let clockOffset = 0;

/** Waits for what the page shows: logins hash passwords (scrypt, PBKDF2), so a step can take a second or two. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });
const shot = (name: string) => page.screenshot({ path: join(outputDir, `${name}.png`) });
const text = (selector: string) => page.locator(selector).innerText();
const euros = (cents: number) =>
  new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' }).format(cents / 100);

/** cl1 handshakes the server answered (a handshake sent while the server was down does not count). */
async function handshakes(): Promise<number> {
  const traffic = await Promise.all(network);
  return traffic.filter(
    (t) =>
      t.direction === 'response' &&
      t.status === 200 &&
      new URL(t.url).pathname === '/.well-known/cipherlayer/session',
  ).length;
}

async function openTab(name: 'accounts' | 'transfer' | 'profile'): Promise<void> {
  await page.locator(`nav.tabs button[data-view="${name}"]`).click();
}

async function transfer(to: string, amount: string, memo: string): Promise<void> {
  await page.locator('#transfer-to').fill(to);
  await page.locator('#transfer-amount').fill(amount);
  await page.locator('#transfer-memo').fill(memo);
  await page.locator('#transfer-submit').click();
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bank-journey-'));
  await mkdir(outputDir, { recursive: true });
  const webDir = join(work, 'web');
  await build({
    configFile: join(packageDir, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: webDir, emptyOutDir: true, sourcemap: false },
  });
  config = {
    ...configFromEnvironment({}, packageDir),
    port: 0,
    dataDir: join(work, 'data'),
    webDir,
    sessionTtlMs: SESSION_TTL_MS,
    clock: () => Date.now() + clockOffset,
  };
  [running, browser] = await Promise.all([startBank(config), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  network = await recordNetwork(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await running?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('the demo bank in Chromium', () => {
  it('refuses a wrong password with a clear message, then signs in and shows the balances', async () => {
    await page.goto(`${running.url}/`);
    await page.locator('#login-view').waitFor();
    await page.locator('#username').fill(alice.username);
    await page.locator('#password').fill(WRONG_PASSWORD);
    await page.locator('#login-submit').click();
    await poll(() => text('#login-error')).toBe('Wrong username or password.');
    await shot('bank-login');

    await page.locator('#password').fill(alice.password);
    await page.locator('#login-submit').click();
    await page.locator('#accounts li').nth(1).waitFor();
    expect(await text('#who-name')).toBe(alice.fullName);
    const rows = await page.locator('#accounts li').allInnerTexts();
    expect(
      rows.map((row) =>
        row
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ).toEqual([
      [current.name, current.number, euros(demoBalance(current))],
      [savings.name, savings.number, euros(demoBalance(savings))],
    ]);
    await shot('bank-accounts');
  });

  it('shows the statement of an account, newest first', async () => {
    await page.locator('#accounts li').first().click();
    await page
      .locator('#statement tr')
      .nth(current.history.length - 1)
      .waitFor();
    expect(await text('#statement-summary')).toBe(
      `${current.number} · balance ${euros(demoBalance(current))}`,
    );
    const lines = await page.locator('#statement tr').allInnerTexts();
    const newest = [...current.history].reverse();
    expect(
      lines.map((line) =>
        line
          .split('\t')
          .slice(1, 4)
          .map((s) => s.trim()),
      ),
    ).toEqual(newest.map(([, description, cents]) => [description, '', euros(cents)]));
    expect(lines[0]).toContain(euros(demoBalance(current)));
    await shot('bank-statement');
  });

  it('makes a transfer, and refuses insufficient funds and a bad amount with clear messages', async () => {
    await openTab('transfer');
    await page.locator('#transfer-from option').nth(1).waitFor({ state: 'attached' });
    await transfer(bobAccount.number, '125.50', 'Dinner, thanks');
    await poll(() => text('#transfer-result')).toBe(
      `Sent ${euros(SENT)} to ${bobAccount.number}. ${current.name} now holds ${euros(demoBalance(current) - SENT)}.`,
    );
    await shot('bank-transfer');

    await transfer(bobAccount.number, '999999', 'Too much');
    await poll(() => text('#transfer-error')).toBe(
      `Insufficient funds: ${current.name} does not hold that much.`,
    );
    await transfer(bobAccount.number, 'lots', '');
    await poll(() => text('#transfer-error')).toBe(
      'Enter an amount between 0.01 and 1,000,000.00, with at most two decimals.',
    );
    await transfer('DE00 0000 0000 0000 0000 00', '1', '');
    await poll(() => text('#transfer-error')).toBe('There is no account with that number.');
    await shot('bank-transfer-refused');

    await openTab('accounts');
    await poll(() => page.locator('#accounts li .balance').allInnerTexts()).toEqual([
      euros(demoBalance(current) - SENT),
      euros(demoBalance(savings)),
    ]);
    await page.locator('#accounts li').first().click();
    await poll(() => page.locator('#statement tr').first().innerText()).toContain('Dinner, thanks');
    expect(await page.locator('#statement tr').first().innerText()).toContain(bobAccount.number);
  });

  it('updates the profile, and explains a bad phone number', async () => {
    await openTab('profile');
    await poll(() => page.locator('#profile-national-id').inputValue()).toBe(alice.nationalId);
    expect(await page.locator('#profile-phone').inputValue()).toBe(alice.phone);
    await page.locator('#profile-phone').fill('call me maybe');
    await page.locator('#profile-submit').click();
    await poll(() => text('#profile-error')).toBe(
      'A phone number has digits, spaces and an optional leading +.',
    );
    await page.locator('#profile-phone').fill(NEW_PHONE);
    await page.locator('#profile-national-id').fill(NEW_NATIONAL_ID);
    await page.locator('#profile-submit').click();
    await poll(() => text('#profile-result')).toBe('Saved.');
    expect(await page.locator('#profile-phone').inputValue()).toBe(NEW_PHONE);
    expect(await page.locator('#profile-national-id').inputValue()).toBe(NEW_NATIONAL_ID);
    await shot('bank-profile');
  });

  it('runs the data routes through each seed profile, end to end in the browser', async () => {
    for (const protection of ['rsa-session', 'static-key', 'jwe'] as const) {
      await openTab('profile');
      await page.locator(`#via-${protection}`).check();
      const call = page.locator(`#calls details.call[data-protection="${protection}"]`).first();
      await call.waitFor();
      await poll(() => call.locator('summary').innerText()).toContain('· 200 ·');
      await poll(() => page.locator('#profile-national-id').inputValue()).toBe(NEW_NATIONAL_ID);
      expect(await call.locator('.verdict').innerText()).toMatch(
        /^✓ none of the \d+ values the app sent or saw is on the wire$/,
      );

      await openTab('accounts');
      await poll(() => page.locator('#calls details.call summary').first().innerText()).toContain(
        `Accounts · GET /api/via/${protection}/accounts · 200`,
      );
      await poll(() => page.locator('#accounts li .balance').allInnerTexts()).toEqual([
        euros(demoBalance(current) - SENT),
        euros(demoBalance(savings)),
      ]);
      await shot(`bank-via-${protection}`);
    }
    await page.locator('#via-cl1').check();
    await poll(() => page.locator('#calls details.call summary').first().innerText()).toContain(
      'Accounts · GET /api/accounts · 200',
    );
    await shot('bank-inspector');
  });

  it('recovers when the server restarts', async () => {
    const before = await handshakes();
    const port = Number(new URL(running.url).port);
    await running.close();
    await openTab('profile');
    await poll(() => text('#banner')).toBe('The bank is not answering. Retrying…');
    running = await startBank({ ...config, port });
    await expect.poll(() => text('#banner'), { timeout: 30_000, interval: 200 }).toBe('Back online.');
    // The page asks who is signed in, then reloads the view it showed.
    await poll(() => page.locator('#calls details.call summary').first().innerText()).toContain(
      'Profile · GET /api/profile · 200',
    );
    expect(await page.locator('#profile-national-id').inputValue()).toBe(NEW_NATIONAL_ID);
    // The new process knew neither the cl1 session nor anything in memory: one new handshake, same login.
    expect(await handshakes()).toBe(before + 1);
    expect(await text('#who-name')).toBe(alice.fullName);
  });

  it('handshakes again, silently, when the session has expired', async () => {
    // Right after the restart's handshake, so the client still holds its session as valid by its own clock.
    const before = await handshakes();
    const from = network.length;
    clockOffset += SESSION_TTL_MS + 1000; // the server's clock only: within its 30 s skew window
    await openTab('accounts');
    const newest = page.locator('#calls details.call summary').first();
    await poll(() => newest.innerText()).toContain('Accounts · GET /api/accounts · 200');
    // One call for the app; on the wire: the refused request, a new handshake, the request again.
    expect(await newest.innerText()).toContain('3 exchanges');
    expect(await handshakes()).toBe(before + 1);
    const traffic = await Promise.all(network.slice(from));
    const expired = traffic.filter(
      (t) => t.direction === 'response' && t.status === 401 && t.body?.includes('ERR_SESSION_EXPIRED'),
    );
    expect(expired).toHaveLength(1);
    expect(await page.locator('#accounts li .balance').allInnerTexts()).toEqual([
      euros(demoBalance(current) - SENT),
      euros(demoBalance(savings)),
    ]);
    expect(await page.locator('#banner').getAttribute('class')).not.toBe('error');
  });

  it('signs out', async () => {
    await page.locator('#logout').click();
    await poll(() => text('#login-error')).toBe('You are signed out.');
    expect(await page.locator('#bank-view').isHidden()).toBe(true);
  });

  it('put no account number, balance, national id, phone or password on the wire in clear', async () => {
    const traffic = await Promise.all(network);
    const secrets = [
      ...[current, savings, bobAccount].flatMap((account) => spacedForms(account.number)),
      ...[
        demoBalance(current),
        demoBalance(current) - SENT,
        demoBalance(savings),
        demoBalance(bobAccount),
      ].flatMap(moneyForms),
      ...moneyForms(SENT),
      ...[alice.nationalId, NEW_NATIONAL_ID, alice.phone, NEW_PHONE].flatMap(spacedForms),
      alice.password,
      WRONG_PASSWORD,
    ];
    const api = traffic.filter((t) => new URL(t.url).pathname.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(40);
    for (const t of traffic) {
      // A request sent while the server was down got no response at all (status 0): nothing to read.
      if (t.direction === 'response' && t.status === 0) continue;
      expect(t.body, `body of ${t.direction} ${t.url}`).toBeDefined();
      const wire = Buffer.concat([Buffer.from(`${t.url}\n${JSON.stringify(t.headers)}\n`), t.body!]);
      expect(foundIn(wire, secrets), `${t.direction} ${t.method ?? t.status} ${t.url}`).toEqual([]);
    }
    // The control: the page did receive those values, decrypted (the inspector shows them).
    const seen = await page.locator('#calls pre.plain').allTextContents();
    expect(
      foundIn(seen.join('\n'), [current.number, NEW_NATIONAL_ID, String(demoBalance(savings))]),
    ).toHaveLength(3);
  });

  it('keeps the database rows and files free of their plaintext', async () => {
    const { db, table } = running.bank;
    const rows: unknown[] = [];
    for (const name of ['users', 'accounts', 'entries', 'logins'] as const) {
      rows.push(...(await db.query(`SELECT * FROM ${table(name)}`)).rows);
    }
    const dump = JSON.stringify(rows);
    const secrets = [
      ...[current, savings, bobAccount].flatMap((account) => spacedForms(account.number)),
      ...[alice.nationalId, NEW_NATIONAL_ID, alice.phone, NEW_PHONE, bob.nationalId].flatMap(spacedForms),
      alice.fullName,
      alice.email,
      'Dinner, thanks',
      alice.password,
    ];
    expect(foundIn(dump, secrets)).toEqual([]);
    const accounts = (
      await db.query<{ number: string; balance: string }>(`SELECT * FROM ${table('accounts')}`)
    ).rows;
    expect(accounts).toHaveLength(3);
    for (const account of accounts) {
      expect(account.number).toMatch(/^clr1\./);
      expect(account.balance).toMatch(/^clr1\./);
    }
    // And the bytes PGlite keeps on disk (tables, WAL), read after the server closed the database.
    await running.close();
    const onDisk = readAll(filesUnder(join(config.dataDir, 'pglite')));
    expect(onDisk.length).toBeGreaterThan(1_000_000);
    expect(foundIn(onDisk, secrets)).toEqual([]);
    await mkdir(imagesDir, { recursive: true });
    for (const name of ['bank-login', 'bank-accounts', 'bank-inspector'])
      await copyFile(join(outputDir, `${name}.png`), join(imagesDir, `${name}.png`));
  });
});
