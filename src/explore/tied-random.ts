/**
 * Tied timeouts (an exploration setting, off by default; docs/explore.md): every broker's elector
 * draws from an identically seeded stream, so two hosts in the same situation draw the same
 * randomized election timeout and time out in the same tick, and the search, not the seed, orders
 * them. DSLabs' searches do the same by fixing timer durations and letting the search order timers.
 *
 * A tied stream counts its draws (its position): the k-th draw of every host is the same number,
 * so the position is all the state a digest needs of it (digest.ts), and two hosts at one position
 * are interchangeable as far as randomness goes.
 *
 * Judging a state (verdict.ts) unties every stream first: from then on each host draws from its
 * own seeded stream, as in any normal run. Convergence of a randomized election is a claim about
 * random draws; with draws an adversary ties forever, Raft's split votes can repeat forever, so
 * judging liveness on tied draws would report that, not a bug.
 */
import { RandomStream } from "../sim/random.ts";

export class TiedRandom extends RandomStream {
  private readonly tied: RandomStream;
  private untied = false;
  /** Draws taken from the tied stream (the state the digest covers). */
  position = 0;

  constructor(
    seed: number,
    private readonly own: RandomStream,
  ) {
    super(seed, "host:tied");
    this.tied = new RandomStream(seed, "host:tied");
  }

  /** From now on, draw from the host's own stream (judging; see above). */
  untie(): void {
    this.untied = true;
  }

  override next(): number {
    if (this.untied) return this.own.next();
    this.position++;
    return this.tied.next();
  }
}
