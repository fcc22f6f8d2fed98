import { describe, expect, it } from 'vitest';
import { setupBaseRecipient, setupBaseSender } from '../src/hpke/context.js';
import { deriveKeyPair, deriveSecretKey } from '../src/hpke/kem.js';
import { hpkeSuite } from '../src/hpke/suites.js';
import { fromHex, toHex } from '../src/lib/bytes.js';
import { backends, run } from './helpers/backends.js';
import { parseRfc9180 } from './helpers/rfc9180.js';
import { readShared } from './helpers/shared.js';

const all = parseRfc9180(readShared('vectors/hpke/rfc9180-appendix-a-test-vectors.md'));
const supported = (v: (typeof all)[number]) => {
  try {
    hpkeSuite(v.kemId, v.kdfId, v.aeadId);
    return true;
  } catch {
    return false;
  }
};
// cipherlayer implements base mode; the suites it knows are the AES-GCM and export-only ones.
const baseVectors = all.filter((v) => v.mode === 0 && supported(v));

describe('RFC 9180 appendix A vectors', () => {
  it('parses the appendix and finds the base-mode suites cipherlayer supports', () => {
    expect(all.length).toBeGreaterThanOrEqual(28);
    expect(baseVectors.map((v) => `${v.kemId}/${v.kdfId}/${v.aeadId}`).sort()).toEqual(
      ['16/1/1', '16/3/1', '18/3/2', '32/1/1', '32/1/65535'].sort(),
    );
  });

  describe.each(backends)('%s backend', (_name, backend) => {
    it.each(baseVectors.map((v) => [v.title, v] as const))('%s', async (_title, v) => {
      const suite = hpkeSuite(v.kemId, v.kdfId, v.aeadId);
      const f = v.fields;
      const info = fromHex(f.info as string);

      const skE = await run(backend, deriveSecretKey(suite.kem, suite.kemSuiteId, fromHex(f.ikmE as string)));
      expect(toHex(skE)).toBe(f.skEm);
      const recipient = await run(
        backend,
        deriveKeyPair(suite.kem, suite.kemSuiteId, fromHex(f.ikmR as string)),
      );
      expect(toHex(recipient.publicKey)).toBe(f.pkRm);

      const { enc, context: sender } = await run(
        backend,
        setupBaseSender(
          suite,
          recipient.publicKey,
          info,
          await run(backend, deriveKeyPair(suite.kem, suite.kemSuiteId, fromHex(f.ikmE as string))),
        ),
      );
      expect(toHex(enc)).toBe(f.enc);
      const receiver = await run(backend, setupBaseRecipient(suite, enc, recipient, info));

      const last = v.encryptions.at(-1)?.sequence ?? -1;
      const bySequence = new Map(v.encryptions.map((e) => [e.sequence, e]));
      for (let seq = 0; seq <= last; seq++) {
        const e = bySequence.get(seq);
        const aad = e ? fromHex(e.aad) : new Uint8Array(0);
        const pt = e ? fromHex(e.pt) : new Uint8Array(1);
        const ct = await run(backend, sender.seal(aad, pt));
        const opened = await run(backend, receiver.open(aad, ct));
        expect(toHex(opened)).toBe(toHex(pt));
        if (e) expect(toHex(ct)).toBe(e.ct);
      }
      for (const x of v.exports) {
        expect(toHex(await run(backend, sender.export(fromHex(x.context), x.length)))).toBe(x.value);
        expect(toHex(await run(backend, receiver.export(fromHex(x.context), x.length)))).toBe(x.value);
      }
    });
  });
});
