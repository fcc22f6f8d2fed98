/**
 * The wire inspector: for each call of the page, what crossed the network
 * (each HTTP exchange the encryption client made: headers, sizes, an
 * excerpt of the ciphertext) next to what the app code got back after
 * decryption. Values the app saw are searched for in the wire bytes, so the
 * panel says, per call, whether any of them travelled in clear.
 */
import type { CallRecord, Protection } from './api';
import type { WireExchange, WireMessage } from './wire-recorder';

export const PROTECTION_NOTES: Record<Protection, string> = {
  cl1:
    'cl1 session: one HPKE handshake (X25519), then AES-256-GCM per message. Method, path and status are ' +
    'authenticated, each answer opens only for its request, counters stop replays.',
  'rsa-session':
    'Seed 001: an RSA-2048 key pair per session, a fresh AES key per request wrapped with RSA-OAEP. ' +
    'Look at the session request: the first AES key travels in clear inside TLS.',
  'static-key':
    "Seed 002: answers as { data: base64(iv ‖ tag ‖ ciphertext) }. Here with the seed's own fix: a key " +
    'per login, unwrapped from the login answer with the password (PBKDF2), never a key in the bundle.',
  jwe:
    'Seed 004: each body a compact JWE to the server key (ECDH-ES on P-521, A256GCM); strict mode adds ' +
    'a one-time key so the answer is sealed too, and a jti against replays.',
};

const decoder = new TextDecoder('utf-8', { fatal: true });

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/** Text if the bytes are printable UTF-8 (a JSON envelope, a JWE), else hex. */
function excerpt(body: Uint8Array): string {
  if (body.length === 0) return '(empty)';
  try {
    const text = decoder.decode(body);
    if (/^[\x20-\x7e\s]*$/.test(text)) return shorten(text, 180);
  } catch {
    // binary
  }
  const hex = [...body.subarray(0, 48)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return body.length > 48 ? `${hex} … (binary)` : `${hex} (binary)`;
}

function headerList(message: WireMessage, names: readonly string[] | undefined): HTMLElement {
  const list = element('ul', { class: 'headers' });
  for (const [name, value] of message.headers) {
    if (names !== undefined && !names.includes(name)) continue;
    list.append(element('li', {}, element('code', {}, `${name}: ${shorten(value, 96)}`)));
  }
  return list;
}

const RESPONSE_HEADERS = ['content-type', 'cache-control', 'vary', 'set-cookie'];

function exchangeView(exchange: WireExchange): HTMLElement {
  const { request, response } = exchange;
  return element(
    'div',
    { class: 'exchange' },
    element(
      'div',
      { class: 'direction out' },
      element('strong', {}, `→ ${exchange.method} ${exchange.path}`),
      ` · body ${size(request.body.length)}`,
    ),
    headerList(request, undefined),
    element(
      'div',
      { class: 'note' },
      'Cookie: bank_login=… (HttpOnly; added by the browser, in clear like every header)',
    ),
    element('pre', { class: 'bytes' }, excerpt(request.body)),
    element(
      'div',
      { class: 'direction in' },
      element('strong', {}, `← ${exchange.status}`),
      ` · body ${size(response.body.length)}`,
    ),
    headerList(response, RESPONSE_HEADERS),
    element('pre', { class: 'bytes' }, excerpt(response.body)),
  );
}

/**
 * Strings and numbers the app saw (long enough to mean something), to look
 * for on the wire. Ids are left out: they are in the URLs, which are visible
 * by design (spec: what cl1 does not protect).
 */
function leaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && value.length >= 4) out.push(value);
  else if (typeof value === 'number' && Math.abs(value) >= 1000) out.push(String(value));
  else if (Array.isArray(value)) for (const item of value) leaves(item, out);
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) if (key !== 'id') leaves(item, out);
  return out;
}

function wireText(call: CallRecord): string {
  const latin1 = new TextDecoder('latin1');
  return call.exchanges
    .map((e) =>
      [
        e.path,
        ...e.request.headers.map(([n, v]) => `${n}: ${v}`),
        latin1.decode(e.request.body),
        ...e.response.headers.map(([n, v]) => `${n}: ${v}`),
        latin1.decode(e.response.body),
      ].join('\n'),
    )
    .join('\n');
}

function verdict(call: CallRecord): HTMLElement {
  if (call.seen === undefined) return element('span', {}, '');
  const values = [...leaves(call.sent), ...leaves(call.seen.body)];
  if (values.length === 0) return element('span', { class: 'verdict' }, 'nothing to compare');
  const wire = wireText(call);
  const leaked = values.filter((v) => wire.includes(v));
  return leaked.length === 0
    ? element(
        'span',
        { class: 'verdict ok' },
        `✓ none of the ${values.length} values the app sent or saw is on the wire`,
      )
    : element(
        'span',
        { class: 'verdict bad' },
        `✗ in clear on the wire: ${leaked.length} of ${values.length} values`,
      );
}

/** The request body as the app wrote it; a password is shown as dots here, though it is sealed on the wire too. */
function sentView(sent: unknown): HTMLElement {
  const shown =
    typeof sent === 'object' && sent !== null && 'password' in sent
      ? { ...sent, password: '••••••••' }
      : sent;
  return element('pre', { class: 'plain' }, shorten(JSON.stringify(shown, null, 2), 600));
}

function callView(call: CallRecord, open: boolean): HTMLElement {
  const wireBytes = call.exchanges.reduce((n, e) => n + e.request.body.length + e.response.body.length, 0);
  const status =
    call.failure !== undefined ? 'failed' : call.seen === undefined ? '…' : String(call.seen.status);
  const summary = element(
    'summary',
    {},
    element('span', { class: `badge ${call.protection}` }, call.protection),
    ` ${call.label} · ${call.method} ${call.path} · ${status} · ${call.exchanges.length} exchange${call.exchanges.length === 1 ? '' : 's'}, ${size(wireBytes)} on the wire`,
  );
  const details = element('details', { class: 'call', 'data-protection': call.protection }, summary);
  details.open = open;
  if (call.sent !== undefined)
    details.append(element('h4', {}, 'What the app code sent'), sentView(call.sent));
  details.append(
    element('h4', {}, 'What crossed the network'),
    ...call.exchanges.map(exchangeView),
    element('h4', {}, 'What the app code saw, decrypted'),
  );
  if (call.seen !== undefined) {
    details.append(
      element(
        'div',
        { class: 'direction' },
        `${call.seen.status} · ${call.seen.contentType || '(no content type)'} · ${size(call.seen.bytes)} `,
        verdict(call),
      ),
      element('pre', { class: 'plain' }, shorten(JSON.stringify(call.seen.body, null, 2), 1200)),
    );
  }
  if (call.failure !== undefined) details.append(element('pre', { class: 'plain failure' }, call.failure));
  return details;
}

export class WireInspector {
  readonly #list: HTMLElement;
  readonly #note: HTMLElement;
  readonly #views = new Map<CallRecord, HTMLElement>();

  constructor(root: HTMLElement, initial: Protection, onToggle: (protection: Protection) => void) {
    const choices = element('fieldset', { class: 'toggle' }, element('legend', {}, 'Data routes go through'));
    for (const protection of Object.keys(PROTECTION_NOTES) as Protection[]) {
      const input = element('input', {
        type: 'radio',
        name: 'protection',
        value: protection,
        id: `via-${protection}`,
      });
      input.checked = protection === initial;
      input.addEventListener('change', () => {
        if (!input.checked) return;
        this.#note.textContent = PROTECTION_NOTES[protection];
        onToggle(protection);
      });
      choices.append(element('label', { for: `via-${protection}` }, input, ` ${protection}`));
    }
    this.#note = element('p', { class: 'protection-note' }, PROTECTION_NOTES[initial]);
    this.#list = element('div', { class: 'calls', id: 'calls' });
    const clear = element('button', { type: 'button', class: 'link' }, 'Clear');
    clear.addEventListener('click', () => {
      this.#list.replaceChildren();
      this.#views.clear();
    });
    root.replaceChildren(
      element('header', {}, element('h2', {}, 'Wire inspector'), clear),
      choices,
      this.#note,
      element(
        'p',
        { class: 'hint' },
        'Login, logout and the session check always use cl1. The newest call is on top.',
      ),
      this.#list,
    );
  }

  /** A call started: shown on top, open; the previous ones fold. */
  add(call: CallRecord): void {
    for (const view of this.#views.values()) (view as HTMLDetailsElement).open = false;
    const view = callView(call, true);
    this.#views.set(call, view);
    this.#list.prepend(view);
  }

  update(call: CallRecord): void {
    const old = this.#views.get(call);
    if (old === undefined) return;
    const view = callView(call, (old as HTMLDetailsElement).open);
    this.#views.set(call, view);
    old.replaceWith(view);
  }
}
