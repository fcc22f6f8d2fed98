import {
  clientTlsOptions,
  createClientAgent,
  createSecureServer,
  fetchDispatcherOptions,
  secureServerOptions,
  transportGuard,
} from '@cipherlayer/tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(() => pki.cleanup());

const config = (pattern: RegExp) =>
  expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringMatching(pattern) });

function failure(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('server options are checked once, with messages that say what to change', () => {
  it('refuses a file name given as PEM', () => {
    expect(failure(() => secureServerOptions({ cert: 'certs/server.pem', key: pki.server.key }))).toEqual(
      config(/looks like a file name.*readFileSync\("certs\/server.pem"\)/),
    );
  });

  it('refuses a key that is not the certificate’s', () => {
    expect(failure(() => secureServerOptions({ cert: pki.server.cert, key: pki.client.key }))).toEqual(
      config(/key is not the private key of the certificate/),
    );
  });

  it('refuses an expired certificate with its date', () => {
    expect(failure(() => secureServerOptions(pki.expiredClient))).toEqual(
      config(/expired on \d{4}-.*renew it/),
    );
  });

  it('refuses TLS 1.1 and 1.0 as minimum versions', () => {
    expect(failure(() => secureServerOptions({ ...pki.server, minVersion: 'TLSv1.1' as never }))).toEqual(
      config(/TLSv1\.2.*RFC 8996/),
    );
  });

  it('refuses unknown options, missing parts, and an allow-list without a client CA', () => {
    expect(failure(() => secureServerOptions({ ...pki.server, rejectUnauthorized: false } as never))).toEqual(
      config(/unknown option "rejectUnauthorized"/),
    );
    expect(failure(() => secureServerOptions({ cert: pki.server.cert } as never))).toEqual(
      config(/needs cert and key/),
    );
    expect(failure(() => secureServerOptions(undefined as never))).toEqual(config(/needs an options object/));
    expect(failure(() => createSecureServer({ ...pki.server, allowedClients: ['a'] }))).toEqual(
      config(/allowedClients needs clientCa/),
    );
    expect(failure(() => secureServerOptions({ ...pki.server, clientCa: 'not pem\nat all' }))).toEqual(
      config(/clientCa is not PEM/),
    );
  });

  it('applies the policy: TLS 1.2 to 1.3, AEAD ciphers, mutual TLS that cannot be half on', () => {
    const options = secureServerOptions({ ...pki.server, clientCa: pki.ca });
    expect(options).toMatchObject({
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      requestCert: true,
      rejectUnauthorized: true,
    });
    for (const suite of options.ciphers?.split(':') ?? [])
      expect(suite).toMatch(
        /^TLS_AES_(128|256)_GCM_SHA(256|384)$|^TLS_CHACHA20_POLY1305_SHA256$|^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/,
      );
    expect(secureServerOptions({ ...pki.server, minVersion: 'TLSv1.3' }).minVersion).toBe('TLSv1.3');
  });

  it('checks HSTS settings', () => {
    expect(failure(() => createSecureServer({ ...pki.server, hsts: { preload: true } }))).toEqual(
      config(/preload needs includeSubDomains/),
    );
    expect(failure(() => createSecureServer({ ...pki.server, hsts: { maxAge: -1 } }))).toEqual(
      config(/maxAge/),
    );
    expect(failure(() => createSecureServer({ ...pki.server, hsts: { max: 1 } as never }))).toEqual(
      config(/unknown option "max"/),
    );
    expect(failure(() => createSecureServer({ ...pki.server, production: 'yes' as never }))).toEqual(
      config(/production must be true or false/),
    );
  });
});

describe('client options', () => {
  it('need both halves of a client certificate, and a readable passphrase-protected key', () => {
    expect(failure(() => createClientAgent({ cert: pki.client.cert }))).toEqual(
      config(/needs both cert and key/),
    );
    expect(failure(() => clientTlsOptions({ servername: '' }))).toEqual(config(/servername/));
    expect(failure(() => clientTlsOptions({ ...pki.client, passphrase: 42 as never }))).toEqual(
      config(/passphrase/),
    );
    expect(failure(() => createClientAgent({ maxSockets: 0 }))).toEqual(config(/maxSockets/));
  });

  it('give undici the same checked options as the agent', () => {
    const { connect } = fetchDispatcherOptions({ ca: pki.ca, ...pki.client, servername: 'localhost' });
    expect(connect).toMatchObject({
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      servername: 'localhost',
    });
    expect(failure(() => fetchDispatcherOptions({ rejectUnauthorized: false as never }))).toEqual(
      config(/turns off certificate verification/),
    );
  });
});

describe('guard options', () => {
  it('refuse bad and catch-all proxy ranges, and unknown options', () => {
    expect(failure(() => transportGuard({ trustedProxies: ['10.0.0.0/33'] }))).toEqual(
      config(/not an IP address or CIDR/),
    );
    expect(failure(() => transportGuard({ trustedProxies: ['proxy.internal'] }))).toEqual(
      config(/not an IP address/),
    );
    expect(failure(() => transportGuard({ trustedProxies: ['0.0.0.0/0'] }))).toEqual(
      config(/trusts every address/),
    );
    expect(failure(() => transportGuard({ trustedProxies: ['::/0'] }))).toEqual(
      config(/trusts every address/),
    );
    expect(failure(() => transportGuard({ trustedProxies: 'x' as never }))).toEqual(
      config(/list of non-empty strings/),
    );
    expect(failure(() => transportGuard({ trustHeaders: true } as never))).toEqual(
      config(/unknown option "trustHeaders"/),
    );
  });
});
