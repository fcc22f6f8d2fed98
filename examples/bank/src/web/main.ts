/**
 * The bank's page. It talks to the server only through BankApi, which
 * wraps @cipherlayer/client in session mode: this file sends and reads
 * plain JSON, and never sees a key or a ciphertext. The wire inspector on
 * the right shows what the encryption client made of each call.
 */
import type { WrappedSessionKey } from '@cipherlayer/profiles/static-key/browser';
import { BankApi, OfflineError } from './api';
import { money } from './format';
import { WireInspector } from './inspector';
import {
  $,
  type Account,
  expectOk,
  input,
  type Problem,
  type Profile,
  problemOf,
  renderAccounts,
  renderProfile,
  renderStatement,
  renderTransfer,
  SignedOut,
} from './screens';

type View = 'accounts' | 'statement' | 'transfer' | 'profile';

const inspector = new WireInspector($('inspector'), 'cl1', (protection) => {
  api.protection = protection;
  if (signedIn) void show(current.view, current.accountId);
});
const api = new BankApi({
  onCall: (call) => inspector.add(call),
  onUpdate: (call) => inspector.update(call),
});

let signedIn = false;
let current: { view: View; accountId?: string } = { view: 'accounts' };

/** The line under the header: problems that are not about one form, and the connection's state. */
function banner(text: string, tone: 'warn' | 'ok' | 'error'): void {
  const node = $('banner');
  node.textContent = text;
  node.className = tone;
  node.hidden = text === '';
}

/** Runs a step; a lost connection, an ended login or another failure each lands where the user sees it. */
async function guarded(step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (error instanceof OfflineError) return void waitForServer();
    if (error instanceof SignedOut) return showLogin(error.message);
    banner(`Something went wrong: ${error instanceof Error ? error.message : String(error)}`, 'error');
  }
}

let waiting = false;
/**
 * The server stopped answering (a restart, say): poll the plaintext health
 * check until it is back, then carry on. The encryption client needs no
 * help: a session the restarted server no longer knows is answered with
 * ERR_SESSION_UNKNOWN, and the client handshakes again by itself.
 */
async function waitForServer(): Promise<void> {
  if (waiting) return;
  waiting = true;
  banner('The bank is not answering. Retrying…', 'warn');
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const up = await fetch('/api/health', { cache: 'no-store' }).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
  }
  waiting = false;
  banner('Back online.', 'ok');
  await start();
}

function showLogin(message = ''): void {
  signedIn = false;
  $('who').hidden = true;
  $('bank-view').hidden = true;
  $('login-view').hidden = false;
  $('login-error').textContent = message;
  input('username').focus();
}

function showSignedIn(name: string): void {
  signedIn = true;
  $('who-name').textContent = name;
  $('who').hidden = false;
  $('login-view').hidden = true;
  $('bank-view').hidden = false;
}

function showOnly(view: View): void {
  for (const name of ['accounts', 'statement', 'transfer', 'profile'] as const)
    $(`view-${name}`).hidden = name !== view;
  for (const tab of document.querySelectorAll<HTMLButtonElement>('nav.tabs button'))
    tab.classList.toggle('active', tab.dataset.view === (view === 'statement' ? 'accounts' : view));
}

async function show(view: View, accountId?: string): Promise<void> {
  current = accountId === undefined ? { view } : { view, accountId };
  showOnly(view);
  await guarded(async () => {
    if (view === 'accounts') await renderAccounts(api, (id) => void show('statement', id));
    else if (view === 'statement' && accountId !== undefined) await renderStatement(api, accountId);
    else if (view === 'transfer') await renderTransfer(api);
    else if (view === 'profile') await renderProfile(api);
  });
}

/** Who is signed in (the login cookie survives reloads and server restarts); then the last view. */
async function start(): Promise<void> {
  await guarded(async () => {
    const answer = await api.cl1<{ name: string } | Problem>('Session check', 'GET', '/api/me');
    if (answer.status === 401) return showLogin();
    showSignedIn(expectOk(answer).name);
    await show(current.view, current.accountId);
  });
}

$('login-view').addEventListener('submit', (event) => {
  event.preventDefault();
  const username = input('username').value;
  const password = input('password').value;
  $('login-error').textContent = '';
  void guarded(async () => {
    const answer = await api.cl1<{ name: string; staticKeyGrant: WrappedSessionKey } | Problem>(
      'Sign in',
      'POST',
      '/api/login',
      { username, password },
    );
    if (!answer.ok) {
      $('login-error').textContent = problemOf(answer);
      return;
    }
    const body = answer.body as { name: string; staticKeyGrant: WrappedSessionKey };
    api.adoptStaticKeyGrant(password, body.staticKeyGrant);
    input('password').value = '';
    banner('', 'ok');
    showSignedIn(body.name);
    await show('accounts');
  });
});

$('logout').addEventListener('click', () => {
  void guarded(async () => {
    await api.cl1('Sign out', 'POST', '/api/logout');
    await api.forget();
    current = { view: 'accounts' };
    showLogin('You are signed out.');
  });
});

for (const tab of document.querySelectorAll<HTMLButtonElement>('nav.tabs button')) {
  tab.addEventListener('click', () => void show(tab.dataset.view as View));
}

$('view-transfer').addEventListener('submit', (event) => {
  event.preventDefault();
  $('transfer-error').textContent = '';
  $('transfer-result').textContent = '';
  void guarded(async () => {
    const answer = await api.data<{ transfer: { amount: number; to: string; from: Account } } | Problem>(
      'Transfer',
      'POST',
      '/transfers',
      {
        from: $<HTMLSelectElement>('transfer-from').value,
        to: input('transfer-to').value,
        amount: input('transfer-amount').value,
        memo: input('transfer-memo').value,
      },
    );
    if (answer.status === 401) throw new SignedOut(problemOf(answer));
    if (!answer.ok) {
      $('transfer-error').textContent = problemOf(answer);
      return;
    }
    const { transfer } = answer.body as { transfer: { amount: number; to: string; from: Account } };
    $('transfer-result').textContent =
      `Sent ${money(transfer.amount, transfer.from.currency)} to ${transfer.to}. ` +
      `${transfer.from.name} now holds ${money(transfer.from.balance, transfer.from.currency)}.`;
    input('transfer-amount').value = '';
    input('transfer-memo').value = '';
    await renderTransfer(api);
  });
});

$('view-profile').addEventListener('submit', (event) => {
  event.preventDefault();
  $('profile-error').textContent = '';
  $('profile-result').textContent = '';
  void guarded(async () => {
    const answer = await api.data<{ profile: Profile } | Problem>('Profile update', 'PUT', '/profile', {
      email: input('profile-email').value,
      phone: input('profile-phone').value,
      nationalId: input('profile-national-id').value,
    });
    if (answer.status === 401) throw new SignedOut(problemOf(answer));
    if (!answer.ok) {
      $('profile-error').textContent = problemOf(answer);
      return;
    }
    $('profile-result').textContent = 'Saved.';
    await renderProfile(api);
  });
});

void start();
