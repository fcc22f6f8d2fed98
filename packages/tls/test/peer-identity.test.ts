import { describe, expect, it } from 'vitest';
import { parseSubjectAltName } from '../src/peer-identity.js';

describe("parsing Node's subjectaltname text", () => {
  it('splits entries and keeps quoted commas', () => {
    expect(
      parseSubjectAltName(
        'DNS:a.internal, URI:spiffe://prod/ns/orders, IP Address:10.0.0.1, DNS:"x, y", email:o@e.x',
      ),
    ).toEqual([
      ['DNS', 'a.internal'],
      ['URI', 'spiffe://prod/ns/orders'],
      ['IP Address', '10.0.0.1'],
      ['DNS', 'x, y'],
      ['email', 'o@e.x'],
    ]);
  });

  it('returns nothing for a certificate without SANs', () => {
    expect(parseSubjectAltName(undefined)).toEqual([]);
    expect(parseSubjectAltName('')).toEqual([]);
  });
});
