/**
 * The signatures of mutating requests that passed authentication, each kept until its date no
 * longer passes the skew check (from then on the date check refuses a replay by itself), so a
 * captured POST, PUT or DELETE cannot be sent again, with its body or another. Opt-in with
 * --replay-cache (README, "Security").
 *
 * In-process only: with several API processes each knows only what it accepted, and a restart
 * forgets everything. Bounded: beyond MAX_ENTRIES the oldest signatures are forgotten first.
 */

/** About 10 MB at most: 32 bytes of signature and a time per entry. */
export const MAX_ENTRIES = 100_000;

export class ReplayCache {
  /**
   * Signature (its 32 bytes as a one-byte string: a sixth of what the hex text and the header
   * it was sliced from would hold) -> the last instant its date is accepted. In insertion
   * order, which is nearly expiry order. HMACs of different keys do not collide, so the key id
   * is not needed.
   */
  private readonly entries = new Map<string, number>();

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  get size(): number {
    return this.entries.size;
  }

  /** True the first time `signatureHex` (either case) is seen while its date is accepted (until `validUntil`); false for a replay. */
  firstUse(signatureHex: string, validUntil: number, now: number): boolean {
    const signature = Buffer.from(signatureHex, 'hex').toString('latin1');
    for (const [known, until] of this.entries) {
      if (until >= now) break;
      this.entries.delete(known);
    }
    const until = this.entries.get(signature);
    if (until !== undefined && until >= now) return false;
    this.entries.delete(signature);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(signature, validUntil);
    return true;
  }
}
