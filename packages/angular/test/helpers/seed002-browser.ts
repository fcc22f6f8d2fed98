import { CryptoService, environment } from '../../../profiles/test/helpers/seed002-crypto-service.js';

/**
 * Seed 002's Angular CryptoService (../shared/seeds/002_*.txt, "Angular
 * side"), as reproduced verbatim once for both packages in
 * `@cipherlayer/profiles`' test helpers, with the hex key given per
 * instance instead of through `environment.aesKey`. Used to check that what
 * StaticKeyCrypto.encrypt produces opens with the seed's own browser code.
 */
export class SeedCryptoService {
  readonly #service: CryptoService;

  constructor(aesKey: string) {
    // The seed's service reads environment.aesKey once, when it is made.
    environment.aesKey = aesKey;
    this.#service = new CryptoService();
  }

  async decrypt(payload: string): Promise<unknown> {
    return await this.#service.decrypt(payload);
  }
}
