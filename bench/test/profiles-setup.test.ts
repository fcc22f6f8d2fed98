import { describe, expect, it } from 'vitest';
import { benchProfile, isProfileScheme, OnDemandRsaKeys } from '../src/http/server/profiles.js';

// How the HTTP suites set the profiles up; the servers themselves are exercised by the bench run.

describe('the profiles of the HTTP suites', () => {
  it('without the pool, makes a fresh RSA-2048 key pair on every take, synchronously', async () => {
    const keys = new OnDemandRsaKeys();
    const first = keys.take();
    const second = keys.take();
    expect(first.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(first.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(second.publicKey).not.toBe(first.publicKey);
    // Nothing is ever made ahead: settling has nothing to wait for.
    expect(keys.available).toBe(0);
    await expect(keys.filled()).resolves.toBeUndefined();
    await keys.close();
  });

  it('knows which schemes are profiles, and builds the static-key profile from AES_KEY', async () => {
    expect(['rsa-session', 'static-key', 'profile-jwe'].every((s) => isProfileScheme(s as never))).toBe(true);
    expect(isProfileScheme('cl1')).toBe(false);
    process.env.AES_KEY = 'ab'.repeat(32);
    const { profile, settle } = await benchProfile({ framework: 'fastify', scheme: 'static-key' });
    expect(profile.name).toBe('static-key');
    await expect(settle()).resolves.toBeUndefined();
    await expect(benchProfile({ framework: 'fastify', scheme: 'cl1' })).rejects.toThrow(/not a profile/);
  });
});
