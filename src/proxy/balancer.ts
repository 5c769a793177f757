/**
 * Smooth weighted round-robin (the algorithm nginx uses) with passive health.
 *
 * Each pick adds every eligible peer's weight to its running score and takes the peer
 * with the highest score, which then gives back the total. Weights 5:1:1 give
 * a a b a c a a: the heavy peer is spread out instead of served in a burst.
 *
 * Passive health: a peer that fails `failures` times in a row is left out for `cooldownMs`.
 * After the cool-down it is eligible again; one success clears its count, one more failure
 * ejects it again straight away (it never got below the threshold).
 */
export interface HealthPolicy {
  failures: number;
  cooldownMs: number;
}

export interface Peer<T> {
  readonly index: number;
  readonly weight: number;
  readonly target: T;
  /** Running score of the smooth weighted round-robin. */
  score: number;
  consecutiveFailures: number;
  /** Epoch ms until which the peer is left out; 0 when it is eligible. */
  ejectedUntil: number;
}

export class Balancer<T> {
  readonly peers: Peer<T>[];
  private ejected = 0;

  constructor(
    targets: ReadonlyArray<{ weight: number; target: T }>,
    private readonly policy: HealthPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.peers = targets.map((t, index) => ({ index, weight: t.weight, target: t.target, score: 0, consecutiveFailures: 0, ejectedUntil: 0 }));
  }

  /**
   * The next peer, or undefined when every peer is ejected or already tried.
   * `tried` is a bit set of peer indexes to leave out (retries go to another peer).
   */
  pick(tried = 0): Peer<T> | undefined {
    if (this.ejected > 0) this.readmit();
    const peers = this.peers;
    if (peers.length === 1) {
      const only = peers[0]!;
      return only.ejectedUntil === 0 && (tried & 1) === 0 ? only : undefined;
    }
    let best: Peer<T> | undefined;
    let total = 0;
    for (let i = 0; i < peers.length; i++) {
      const p = peers[i]!;
      if (p.ejectedUntil !== 0 || (i < 31 && (tried & (1 << i)) !== 0)) continue;
      p.score += p.weight;
      total += p.weight;
      if (best === undefined || p.score > best.score) best = p;
    }
    if (best !== undefined) best.score -= total;
    return best;
  }

  /** The peer answered (any status): its failure count starts over. */
  success(peer: Peer<T>): void {
    peer.consecutiveFailures = 0;
  }

  /** A connect error, timeout, reset or invalid response. */
  failure(peer: Peer<T>): void {
    peer.consecutiveFailures++;
    if (peer.ejectedUntil === 0 && peer.consecutiveFailures >= this.policy.failures) {
      peer.ejectedUntil = this.now() + this.policy.cooldownMs;
      peer.score = 0;
      this.ejected++;
    }
  }

  isEjected(peer: Peer<T>): boolean {
    if (this.ejected > 0) this.readmit();
    return peer.ejectedUntil !== 0;
  }

  /** Puts back the peers whose cool-down is over. Only runs while some peer is ejected. */
  private readmit(): void {
    const now = this.now();
    for (const p of this.peers) {
      if (p.ejectedUntil !== 0 && p.ejectedUntil <= now) {
        p.ejectedUntil = 0;
        this.ejected--;
      }
    }
  }
}
