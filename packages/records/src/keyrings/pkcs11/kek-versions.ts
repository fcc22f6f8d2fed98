import { CipherlayerError } from '@cipherlayer/core';
import { sealFailure } from './errors.js';
import type { Handle } from './module.js';
import type { Pkcs11Token } from './token.js';

export interface KekVersion {
  readonly version: number;
  readonly handle: Handle;
}

export interface KekVersionsOptions {
  readonly keyLabel: string;
  readonly mechanism: 'aes-gcm' | 'aes-key-wrap-pad';
  readonly refreshMs: number;
}

/** `<keyLabel>/v<version>`: what `WrappedKey.kekId` holds for this keyring. */
export function kekIdOf(keyLabel: string, version: number): string {
  return `${keyLabel}/v${version}`;
}

const versionId = /^v([1-9][0-9]{0,8})$/;

/**
 * The versions of one KEK in the token: every secret key whose CKA_LABEL is
 * `keyLabel`, told apart by CKA_ID `v1`, `v2`, … The highest is current. The
 * list is searched again when it is older than `refreshMs` (another process
 * may have rotated) and whenever an unknown version is asked for.
 */
export class KekVersions {
  readonly #token: Pkcs11Token;
  readonly #options: KekVersionsOptions;
  #versions = new Map<number, Handle>();
  #current: KekVersion | undefined;
  #searchedAt = -Infinity;
  #searching: Promise<void> | undefined;
  #rotating: Promise<unknown> = Promise.resolve();

  constructor(token: Pkcs11Token, options: KekVersionsOptions) {
    this.#token = token;
    this.#options = options;
  }

  /** Searches the token; with `create`, generates version 1 when the label is not there. */
  async load(create: boolean): Promise<void> {
    await this.#search();
    if (this.#current !== undefined) return;
    if (!create) {
      throw new CipherlayerError('ERR_CONFIG', {
        detail: `Pkcs11Keyring: no key labelled ${JSON.stringify(this.#options.keyLabel)} in the token; create it or set createKey: true`,
      });
    }
    await this.rotate();
  }

  async current(): Promise<KekVersion> {
    if (this.#current === undefined || performance.now() - this.#searchedAt >= this.#options.refreshMs) {
      await this.#search();
    }
    if (this.#current === undefined) {
      throw new CipherlayerError('ERR_UNKNOWN_KEY', {
        detail: `no version of KEK ${JSON.stringify(this.#options.keyLabel)} is left in the token`,
      });
    }
    return this.#current;
  }

  /** The handle of `version`, searching the token once more before giving up. */
  async find(version: number): Promise<Handle | undefined> {
    const known = this.#versions.get(version);
    if (known !== undefined) return known;
    await this.#search();
    return this.#versions.get(version);
  }

  /** Drops a handle the token no longer honours (the key was destroyed behind our back). */
  forget(version: number): void {
    this.#versions.delete(version);
    if (this.#current?.version === version) this.#current = undefined;
  }

  /** Generates the next version in the token and makes it current. Rotations in one process run one at a time. */
  rotate(): Promise<KekVersion> {
    const next = this.#rotating.then(async () => {
      await this.#search();
      const version = (this.#current?.version ?? 0) + 1;
      const kekId = kekIdOf(this.#options.keyLabel, version);
      const handle = await this.#token.pool
        .use((session) => this.#generate(session, version))
        .catch((cause: unknown) => {
          throw sealFailure(cause, kekId);
        });
      this.#versions.set(version, handle);
      this.#current = { version, handle };
      return this.#current;
    });
    this.#rotating = next.catch(() => undefined);
    return next;
  }

  /** One search at a time; callers arriving meanwhile share its result. */
  #search(): Promise<void> {
    this.#searching ??= this.#token.pool
      .use((session) => this.#readVersions(session))
      .then((versions) => {
        this.#versions = versions;
        let current: KekVersion | undefined;
        for (const [version, handle] of versions) {
          if (current === undefined || version > current.version) current = { version, handle };
        }
        this.#current = current;
        this.#searchedAt = performance.now();
      })
      .catch((cause: unknown) => {
        throw sealFailure(cause, this.#options.keyLabel);
      })
      .finally(() => {
        this.#searching = undefined;
      });
    return this.#searching;
  }

  #readVersions(session: Handle): Map<number, Handle> {
    const { api, pkcs11 } = this.#token;
    const { keyLabel } = this.#options;
    pkcs11.C_FindObjectsInit(session, [
      { type: api.CKA_CLASS, value: api.CKO_SECRET_KEY },
      { type: api.CKA_TOKEN, value: true },
      { type: api.CKA_LABEL, value: keyLabel },
    ]);
    const handles: Handle[] = [];
    try {
      for (
        let batch = pkcs11.C_FindObjects(session, 64);
        batch.length > 0;
        batch = pkcs11.C_FindObjects(session, 64)
      ) {
        handles.push(...batch);
      }
    } finally {
      pkcs11.C_FindObjectsFinal(session);
    }
    const versions = new Map<number, Handle>();
    for (const handle of handles) {
      const [id, keyType, length, sensitive, extractable] = pkcs11.C_GetAttributeValue(session, handle, [
        { type: api.CKA_ID },
        { type: api.CKA_KEY_TYPE },
        { type: api.CKA_VALUE_LEN },
        { type: api.CKA_SENSITIVE },
        { type: api.CKA_EXTRACTABLE },
      ]);
      const match = versionId.exec(id?.value.toString('latin1') ?? '');
      if (match === null) {
        throw this.#refuse(
          `a key labelled ${JSON.stringify(keyLabel)} has no version CKA_ID; give it CKA_ID "v1", "v2", …`,
        );
      }
      const version = Number(match[1]);
      const kekId = kekIdOf(keyLabel, version);
      if (versions.has(version)) throw this.#refuse(`two keys are KEK ${kekId}; destroy one of them`);
      if (readUlong(keyType?.value) !== api.CKK_AES || readUlong(length?.value) !== 32) {
        throw this.#refuse(`KEK ${kekId} is not an AES-256 key`);
      }
      if (!readBool(sensitive?.value) || readBool(extractable?.value)) {
        throw this.#refuse(`KEK ${kekId} must have CKA_SENSITIVE true and CKA_EXTRACTABLE false`);
      }
      versions.set(version, handle);
    }
    return versions;
  }

  #generate(session: Handle, version: number): Handle {
    const { api, pkcs11 } = this.#token;
    // Only the capability the chosen mechanism needs: a GCM KEK cannot wrap, a key-wrap KEK cannot encrypt.
    const gcm = this.#options.mechanism === 'aes-gcm';
    return pkcs11.C_GenerateKey(session, { mechanism: api.CKM_AES_KEY_GEN }, [
      { type: api.CKA_CLASS, value: api.CKO_SECRET_KEY },
      { type: api.CKA_KEY_TYPE, value: api.CKK_AES },
      { type: api.CKA_VALUE_LEN, value: 32 },
      { type: api.CKA_LABEL, value: this.#options.keyLabel },
      { type: api.CKA_ID, value: Buffer.from(`v${version}`, 'latin1') },
      { type: api.CKA_TOKEN, value: true },
      { type: api.CKA_PRIVATE, value: true },
      { type: api.CKA_SENSITIVE, value: true },
      { type: api.CKA_EXTRACTABLE, value: false },
      { type: api.CKA_ENCRYPT, value: gcm },
      { type: api.CKA_DECRYPT, value: gcm },
      { type: api.CKA_WRAP, value: !gcm },
      { type: api.CKA_UNWRAP, value: !gcm },
      { type: api.CKA_SIGN, value: false },
      { type: api.CKA_VERIFY, value: false },
      { type: api.CKA_DERIVE, value: false },
    ]);
  }

  #refuse(detail: string): CipherlayerError {
    return new CipherlayerError('ERR_CONFIG', { detail: `Pkcs11Keyring: ${detail}` });
  }
}

/** CK_ULONG as the library returns it: native width, little-endian on the platforms Node runs on. */
function readUlong(value: Buffer | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value.length === 8) return Number(value.readBigUInt64LE(0));
  if (value.length === 4) return value.readUInt32LE(0);
  return undefined;
}

function readBool(value: Buffer | undefined): boolean {
  return value !== undefined && value.length > 0 && value[0] !== 0;
}
