/**
 * The client's idea of the server's time: the local clock plus an offset
 * learned from the `Date` header of an ERR_STALE answer. That answer is not
 * authenticated (spec/protocol.md, "Known limits"), so the offset is
 * bounded: a forged Date far from the local clock would let an attacker hold
 * requests and deliver them later, once their timestamps look fresh.
 */
export class ServerClock {
  #offsetMs = 0;

  constructor(
    private readonly local: () => number,
    private readonly maxCorrectionMs: number,
  ) {}

  now(): number {
    return this.local() + this.#offsetMs;
  }

  /**
   * Adopts the offset a `Date` header implies. Returns false, and changes
   * nothing, when the header is missing or unparseable or the offset exceeds
   * the bound.
   */
  correctFrom(date: string | undefined): boolean {
    const server = date === undefined ? Number.NaN : Date.parse(date);
    if (Number.isNaN(server)) return false;
    // Date has one-second resolution: the server's time was in [server, server + 1000).
    const offset = server + 500 - this.local();
    if (Math.abs(offset) > this.maxCorrectionMs) return false;
    this.#offsetMs = offset;
    return true;
  }
}
