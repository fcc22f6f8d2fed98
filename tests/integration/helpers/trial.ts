import { type ClientMode, createClient, type WireEncoding } from '@cipherlayer/client';
import { generateServerKey, runFlow, ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { expect } from 'vitest';
import {
  type AdapterName,
  type BankState,
  type EngineOptions,
  type RunningServer,
  type StaticFile,
  startServer,
} from './bank.js';
import { CapturingLogger } from './capturing-logger.js';
import { privateKeyForms, secretValues, textForms } from './secrets.js';
import { SentMessages } from './sent-messages.js';
import { WireTap } from './wire-tap.js';

/** Where clients of the bank app connect, and what its servers share. */
export interface Deployment {
  /** One server, or a balancer in front of several. */
  readonly origin: string;
  /** Every line every server logs. */
  readonly logs: CapturingLogger;
  readonly state: BankState;
  /** Every key set the servers have held: their private keys must never be logged. */
  readonly keySets: ServerKeySet[];
  /** Other secrets the servers hold (a store's encryption key): never logged either. */
  readonly secretsAtRest: string[];
}

/** One server of the bank app. */
export interface Bank extends Deployment {
  readonly server: RunningServer;
}

export function newKeySet(keyId = 1): ServerKeySet {
  return new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId }))]);
}

export interface BankOptions {
  engine?: EngineOptions;
  files?: Readonly<Record<string, StaticFile>>;
  bindTo?: readonly string[];
}

export async function startBank(adapter: AdapterName, options: BankOptions = {}): Promise<Bank> {
  const keys = newKeySet();
  const logs = new CapturingLogger();
  const state: BankState = { balance: '', confirmation: '', reference: '' };
  const server = await startServer(adapter, { ...options, keys, state, logs });
  return { server, origin: server.origin, logs, state, keySets: [keys], secretsAtRest: [] };
}

/**
 * One test's view of a deployment: a wire tap in front of it, the
 * client's outgoing messages, fresh secret values on both sides, and the
 * log position it started at. `expectNoLeaks` checks the wire and the logs
 * for everything this test knows must stay hidden.
 */
export class Trial {
  /** What the server answers with (sealed): set on the bank's state for this test. */
  readonly server = secretValues('balance', 'confirmation', 'reference');
  /** What the client sends (sealed). */
  readonly client = secretValues('iban', 'memo');
  /** Travel in the clear as headers (cl1 does not protect headers) but must never be logged. */
  readonly credentials = secretValues('token', 'cookie');
  readonly sent = new SentMessages();
  readonly #logMark: number;

  private constructor(
    readonly bank: Deployment,
    readonly tap: WireTap,
  ) {
    this.#logMark = bank.logs.lines.length;
    Object.assign(bank.state, this.server);
  }

  static async start(bank: Deployment): Promise<Trial> {
    return new Trial(bank, await WireTap.start(bank.origin));
  }

  /** A client of the server through the tap, recording what it sends. */
  connect(mode: ClientMode, encoding: WireEncoding = 'binary') {
    return createClient({ baseUrl: this.tap.origin, mode, encoding, fetch: this.sent.fetch });
  }

  /** The headers an app's requests carry besides the body: credentials, in the clear. */
  get headers(): Record<string, string> {
    return {
      authorization: `Bearer ${this.credentials.token}`,
      cookie: `sid=${this.credentials.cookie}`,
    };
  }

  /** A transfer request body; `amount` not a number makes the app answer 422. */
  transfer(amount: unknown = 125.5): RequestInit {
    return {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ to: this.client.iban, amount, memo: this.client.memo }),
    };
  }

  /** Every plaintext value of this test, both sides. */
  get plaintext(): string[] {
    return [...Object.values(this.client), ...Object.values(this.server)];
  }

  /** Log lines from this test. */
  get logLines() {
    return this.bank.logs.since(this.#logMark);
  }

  /**
   * Nothing sealed crossed the wire in the clear; no log line holds a
   * plaintext value, a credential, a private key, a session id, or a cl1
   * message as sent.
   */
  expectNoLeaks(): void {
    this.tap.expectNoneOf(this.plaintext);
    this.bank.logs.expectNoneOf(
      [
        ...this.plaintext,
        ...Object.values(this.credentials),
        ...this.bank.keySets.flatMap(privateKeyForms),
        ...this.bank.secretsAtRest,
        ...this.sent.sessionIds().flatMap(textForms),
        ...this.sent.headerValues(),
      ],
      this.#logMark,
    );
  }

  /** A log line of this test carries `code` (cipherlayer logs every refusal with its code). */
  expectLogged(code: string): void {
    expect(
      this.logLines.some((line) => line.text.includes(code)),
      `no log line with ${code}`,
    ).toBe(true);
  }

  async close(): Promise<void> {
    await this.tap.close();
  }
}
