import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RsaKeyPool, rsaSession } from '../src/rsa-session.js';
import {
  importStaticKey,
  openBytes,
  openStaticEnvelope,
  sealBytes,
  sealStaticEnvelope,
} from '../src/static-key/browser.js';
import { StaticKeySessions, staticKey } from '../src/static-key.js';

/**
 * Options are checked once, when a profile is made: a mistake throws
 * ERR_CONFIG naming the option, and never echoes a key.
 */
function configError(make: () => unknown): Error & { detail?: string } {
  try {
    make();
  } catch (error) {
    expect(error).toMatchObject({ code: 'ERR_CONFIG' });
    return error as Error;
  }
  throw new Error('expected ERR_CONFIG');
}

const hex = randomBytes(32).toString('hex');

describe('staticKey', () => {
  it('needs one key source, of the right shape; names what is wrong, never the key', () => {
    const sessions = new StaticKeySessions();
    const wrong: [unknown, string][] = [
      [{}, 'give key'],
      [{ key: hex, sessions, keyId: () => 'x' }, 'not both'],
      [{ sessions: {}, keyId: () => 'x' }, 'StaticKeySessions'],
      [{ sessions }, 'keyId'],
      [{ key: hex, keyId: () => 'x' }, 'keyId goes with sessions'],
      [{ key: hex.slice(2) }, '64 hex digits'],
      [{ key: randomBytes(16) }, '32 bytes'],
      [{ key: [] }, 'at least one key'],
      [{ key: hex, maxBodyBytes: -1 }, 'maxBodyBytes'],
      [{ key: hex, colour: 'red' }, 'unknown option "colour"'],
      [null, 'options must be an object'],
    ];
    for (const [options, says] of wrong) {
      const error = configError(() => staticKey(options as never));
      expect(String(error.detail ?? error.message)).toContain(says);
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain(hex.slice(2, 20));
    }
    expect(staticKey({ key: [hex, randomBytes(32)], name: 'legacy' }).name).toBe('legacy');
  });

  it('StaticKeySessions checks its options and grants', async () => {
    for (const options of [{ iterations: 1000 }, { ttlMs: 0 }, { store: {} }, { clock: 'now' }, { typo: 1 }])
      configError(() => new StaticKeySessions(options as never));
    const sessions = new StaticKeySessions({ iterations: 100_000 });
    for (const grant of [
      null,
      { keyId: 'a', password: 1 },
      { keyId: 'a', password: 'p', salt: randomBytes(8) },
    ])
      await expect(sessions.grant(grant as never)).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    await expect(sessions.grant({ keyId: '', password: 'p' })).rejects.toMatchObject({
      code: 'ERR_SESSION_UNKNOWN',
    });
  });
});

describe('rsaSession', () => {
  it('needs a long secret, a path, known modes and hooks', async () => {
    const pool = new RsaKeyPool({ size: 1, prefill: false });
    try {
      const secret = randomBytes(32);
      const wrong: [unknown, string][] = [
        [{ jwtSecret: 'short', pool }, 'jwtSecret'],
        [{ jwtSecret: secret, pool, sessionPath: 'relative' }, 'sessionPath'],
        [{ jwtSecret: secret, pool, mode: 'loose' }, 'mode'],
        [{ jwtSecret: secret, pool, store: { get() {} } }, 'store'],
        [{ jwtSecret: secret, pool, deviceId: 'x-device' }, 'deviceId'],
        [{ jwtSecret: secret, pool, bindIp: 'yes' }, 'bindIp'],
        [{ jwtSecret: secret, pool, keyHeader: 'not a header' }, 'keyHeader'],
        [{ jwtSecret: secret, pool, sessionTtlMs: 10 }, 'sessionTtlMs'],
        [{ jwtSecret: secret, pool, jwtSecrett: secret }, 'unknown option'],
      ];
      for (const [options, says] of wrong) {
        const error = configError(() => rsaSession(options as never));
        expect(String(error.detail ?? error.message)).toContain(says);
      }
      expect(rsaSession({ jwtSecret: 'x'.repeat(32), pool, keyHeader: 'X-Wrapped-Key' }).name).toBe(
        'rsa-session',
      );
    } finally {
      await pool.close();
    }
  });
});

describe('the browser envelope', () => {
  it('importStaticKey takes 64 hex digits or 32 bytes only', async () => {
    for (const key of ['zz'.repeat(32), hex.slice(1), randomBytes(31)])
      await expect(importStaticKey(key)).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    const key = await importStaticKey(randomBytes(32));
    expect(key.extractable).toBe(false);
  });

  it('values with no JSON form are refused without being quoted; every opening failure is ERR_DECRYPT', async () => {
    const key = await importStaticKey(hex);
    const cycle: Record<string, unknown> = { secretName: 'hunter2' };
    cycle.self = cycle;
    for (const value of [undefined, () => 1, 10n, cycle]) {
      const error = await sealStaticEnvelope(key, value).catch((e: Error & { cause?: unknown }) => e);
      expect(error).toMatchObject({ code: 'ERR_CONFIG' });
      expect(
        JSON.stringify({ message: (error as Error).message, cause: String((error as Error).cause) }),
      ).not.toContain('secretName');
    }
    const sealed = await sealStaticEnvelope(key, { a: 1 });
    expect(await openStaticEnvelope(key, sealed)).toEqual({ a: 1 });
    const notJson = await sealBytes(key, new TextEncoder().encode('{"a":'));
    for (const data of [42 as never, 'not base64!', 'AAAA', notJson, sealed.replace(/^./, 'B')])
      await expect(openStaticEnvelope(key, data)).rejects.toMatchObject({ code: 'ERR_DECRYPT' });
    expect(new TextDecoder().decode(await openBytes(key, notJson))).toBe('{"a":');
  });
});
