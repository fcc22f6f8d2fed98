import { CipherlayerError } from '@cipherlayer/core';
import type { OpenedByProfile } from './profile-spec.js';

/**
 * What the app sees of a request a profile opened (`req.cipherlayerProfile`,
 * `request.cipherlayerProfile`, `getCipherlayerProfile(request)`). The
 * plaintext itself is the framework's body.
 */
export interface CipherlayerProfileExchange {
  /** The profile that opened the request ('rsa-session', 'static-key', 'jwe'). */
  readonly profile: string;
  /** The plaintext's content type ('' when it has none). */
  readonly contentType: string;
  /** Non-secret facts the profile found (a device id, a key id). */
  readonly details: Readonly<Record<string, string>>;
  /** True when the answer to this request is sealed. */
  readonly sealsResponse: boolean;
  /** Ends the session this request belongs to (profiles with sessions); its answer is still sealed. */
  revokeSession(): Promise<void>;
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
const inspect = Symbol.for('nodejs.util.inspect.custom');

/** One request opened by a profile. */
export class ProfileExchange implements CipherlayerProfileExchange {
  /** Set once the answer is sealed or refused: an answer is sealed at most once. */
  settled = false;

  constructor(
    readonly profile: string,
    readonly opened: OpenedByProfile,
    /** The method the request was opened for, so a later method override can be detected. */
    readonly method: string,
    /** Whether the body came in a header or nowhere (`header`) or in the body (`binary`): how the app's headers describe it. */
    readonly form: 'binary' | 'header',
    readonly frameworkRequestId: string | undefined,
  ) {}

  get contentType(): string {
    return this.opened.contentType;
  }

  get body(): Uint8Array {
    return this.opened.body;
  }

  get details(): Readonly<Record<string, string>> {
    return this.opened.details ?? EMPTY;
  }

  get sealsResponse(): boolean {
    return this.opened.sealer !== undefined;
  }

  async revokeSession(): Promise<void> {
    const { revoke } = this.opened;
    if (revoke === undefined)
      throw new CipherlayerError('ERR_CONFIG', { detail: `the ${this.profile} profile has no sessions` });
    await revoke.call(this.opened);
  }

  /** Logged or serialised, an exchange shows its profile, never its body. */
  toJSON(): { profile: string; contentType: string } {
    return { profile: this.profile, contentType: this.contentType };
  }

  [inspect](): string {
    return `CipherlayerProfileExchange { profile: ${this.profile} }`;
  }
}
