/** A seed-profile envelope, opened for debugging. */
export interface OpenedEnvelope {
  readonly plaintext: Uint8Array;
  /** What the envelope says the plaintext is ('' when it says nothing, as seeds 001 and 002). */
  readonly contentType: string;
  /** What opened it, for the report: kinds and algorithms, never key bytes. */
  readonly openedWith: Readonly<Record<string, string>>;
}
