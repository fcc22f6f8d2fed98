import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, postgresConfig } from '../src/index.js';
import { POSTGRES } from './helpers/records-db.js';
import { makeCertificates, startTlsProxy, type TestCa, type TlsProxy } from './helpers/tls-proxy.js';

/**
 * Seed 003, mistake 3: fields encrypted, then the queries sent to PostgreSQL
 * over plain TCP. In production the connection helper requires TLS with
 * certificate verification and refuses every way of turning it off unless
 * told explicitly; against a real TLS endpoint it connects only when the
 * certificate checks out.
 */

const url = `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${POSTGRES.database}`;

describe('PostgreSQL connection rules', () => {
  it('in production, refuses every way of connecting without verified TLS, saying what to change', () => {
    const refused = [
      { connectionString: `${url}?sslmode=disable` },
      { connectionString: `${url}?sslmode=prefer` },
      { connectionString: `${url}?sslmode=require` },
      { connectionString: `${url}?sslmode=no-verify` },
      { connectionString: `${url}?sslmode=verify-ca` },
      { connectionString: `${url}?ssl=false` },
      { connectionString: url, ssl: false as const },
      { connectionString: url, ssl: { rejectUnauthorized: false } },
    ];
    for (const options of refused) {
      expect(() => postgresConfig({ ...options, production: true }), JSON.stringify(options)).toThrow(
        /refused when NODE_ENV=production: the connection to PostgreSQL must use TLS and verify the server certificate/,
      );
    }
  });

  it('in production, turns a bare URL into TLS with verification, and strips TLS parameters pg would apply', () => {
    const config = postgresConfig({
      connectionString: `${url}?sslmode=verify-full&application_name=x`,
      production: true,
    });
    expect(config.ssl).toEqual({ rejectUnauthorized: true, minVersion: 'TLSv1.2' });
    expect(config.connectionString).toBe(`${url}?application_name=x`);
    const withCa = postgresConfig({
      host: 'db.internal',
      ssl: { ca: 'PEM', cert: 'C', key: 'K', servername: 'db' },
      production: true,
    });
    expect(withCa.ssl).toEqual({
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ca: 'PEM',
      cert: 'C',
      key: 'K',
      servername: 'db',
    });
    expect(withCa.host).toBe('db.internal');
  });

  it('follows NODE_ENV by default, and lets an explicit override through', () => {
    const previous = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'production';
      expect(() => postgresConfig({ connectionString: url, ssl: false })).toThrow(/NODE_ENV=production/);
      expect(postgresConfig({ connectionString: url, ssl: false, allowInsecureTransport: true }).ssl).toBe(
        false,
      );
      process.env.NODE_ENV = 'development';
      expect(postgresConfig({ connectionString: url }).ssl).toBe(false);
      expect(postgresConfig({ connectionString: `${url}?sslmode=no-verify` }).ssl).toEqual({
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      });
    } finally {
      process.env.NODE_ENV = previous;
    }
    expect(() => postgresConfig({ connectionString: 'not a url' })).toThrow(/not a postgres:\/\/ URL/);
  });
});

describe('PostgreSQL over TLS (a real handshake in front of the local server)', () => {
  let certs: TestCa;
  let proxy: TlsProxy;

  beforeAll(async () => {
    certs = makeCertificates();
    proxy = await startTlsProxy(certs);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  const proxied = () => `postgres://${POSTGRES.user}@127.0.0.1:${proxy.port}/${POSTGRES.database}`;

  it('connects with the CA that signed the server certificate', async () => {
    const pool = await connectPostgres({
      connectionString: proxied(),
      ssl: { ca: certs.ca },
      production: true,
    });
    try {
      const { rows } = await pool.query('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
      expect(proxy.handshakes).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }
  });

  it('refuses a server whose certificate another CA signed, or that no CA it trusts signed', async () => {
    for (const ssl of [{ ca: certs.otherCa }, {}]) {
      const pool = await connectPostgres({ connectionString: proxied(), ssl, production: true });
      try {
        await expect(pool.query('SELECT 1')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
      } finally {
        await pool.end();
      }
    }
  });

  it('refuses a server that does not speak TLS at all, instead of falling back to plain TCP', async () => {
    const pool = await connectPostgres({ connectionString: url, ssl: { ca: certs.ca }, production: true });
    try {
      await expect(pool.query('SELECT 1')).rejects.toThrow(/does not support SSL/);
    } finally {
      await pool.end();
    }
  });
});
