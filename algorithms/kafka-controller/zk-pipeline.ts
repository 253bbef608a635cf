/**
 * Pipelined ZooKeeper requests, after Kafka 1.1's ZooKeeperClient (KAFKA-5642): a batch of
 * requests is sent with at most `maxInFlight` outstanding (zookeeper.max.in.flight.requests), and
 * requests that fail with ConnectionLoss are re-sent (retryRequestsUntilConnected). A request that
 * fails with SessionExpired is re-sent once a new session is connected: the controller's event
 * thread carries on with its current event on the new session, which is what made fencing by the
 * /controller_epoch zkVersion necessary (KAFKA-6082).
 *
 * One pipeline allocates two closures, not one per request: requests are numbered 0..count-1 and
 * tagged `TAG_PIPE + 16 * (pipelineId * 2^23 + index)`.
 */
import type { ZkResult } from "../../src/elector/api.ts";

/** Request tag kinds (low 4 bits of a tag). */
export const TAG_PIPE = 1;
export const TAG_ISR = 2;
export const TAG_IGNORE = 3;
const TAG_SPACE = 16;
const INDEX_SPACE = 8_388_608; // 2^23 requests per pipeline
const ID_SPACE = 1_048_576; // 2^20 pipelines before ids wrap

export interface PipelineSpec {
  readonly count: number;
  readonly maxInFlight: number;
  /** Sends request i with `tag`. */
  issue(i: number, tag: number): void;
  /** Request i's answer (never ConnectionLoss or SessionExpired: those are retried). */
  result(i: number, r: ZkResult): void;
  /** Every request answered. */
  done(): void;
}

class Pipeline {
  next = 0;
  inFlight = 0;
  answered = 0;
  /** Requests waiting to be re-sent, and whether they wait for a new session. */
  readonly retry: number[] = [];
  waitingForSession = false;
  constructor(
    readonly id: number,
    readonly owner: number,
    readonly spec: PipelineSpec,
  ) {}
}

export class ZkPipelines {
  private nextId = 1;
  private readonly live = new Map<number, Pipeline>();
  /** Whether the client is connected on a live session (requests will not fail at once). */
  sessionUsable = false;

  /** Starts a pipeline owned by `owner` (abortOwner drops all of an owner's pipelines). */
  start(owner: number, spec: PipelineSpec): void {
    const id = this.nextId;
    this.nextId = this.nextId + 1 >= ID_SPACE ? 1 : this.nextId + 1;
    const p = new Pipeline(id, owner, spec);
    if (spec.count === 0) {
      spec.done();
      return;
    }
    this.live.set(id, p);
    this.pump(p);
  }

  private pump(p: Pipeline): void {
    const max = Math.max(1, p.spec.maxInFlight);
    while (p.inFlight < max && this.live.get(p.id) === p) {
      let i: number;
      if (p.retry.length > 0) {
        if (p.waitingForSession && !this.sessionUsable) return;
        i = p.retry.shift() as number;
      } else if (p.next < p.spec.count) i = p.next++;
      else return;
      p.inFlight++;
      p.spec.issue(i, TAG_PIPE + TAG_SPACE * (p.id * INDEX_SPACE + i));
    }
  }

  /** Routes a result; returns false if the tag is not a pipeline's. */
  onResult(r: ZkResult): boolean {
    if (r.tag % TAG_SPACE !== TAG_PIPE) return false;
    const payload = (r.tag - TAG_PIPE) / TAG_SPACE;
    const i = payload % INDEX_SPACE;
    const id = (payload - i) / INDEX_SPACE;
    const p = this.live.get(id);
    if (p === undefined) return true; // an aborted pipeline's late answer
    p.inFlight--;
    if (r.err === "ConnectionLoss" || r.err === "SessionExpired") {
      p.retry.push(i);
      if (r.err === "SessionExpired") {
        // The session is gone (expired, or closed by us): nothing is re-sent until a new one is
        // connected. Re-sending at once would fail at once, in zero simulated time, forever when
        // no new session ever comes (a closed session: Kafka opens none after its own close).
        p.waitingForSession = true;
        this.sessionUsable = false;
      }
      this.pump(p);
      return true;
    }
    p.spec.result(i, r);
    p.answered++;
    if (p.answered === p.spec.count) {
      this.live.delete(p.id);
      p.spec.done();
    } else this.pump(p);
    return true;
  }

  /** A session is connected: re-send what waited for one. */
  onConnected(): void {
    this.sessionUsable = true;
    for (const p of Array.from(this.live.values())) {
      p.waitingForSession = false;
      this.pump(p);
    }
  }

  abortOwner(owner: number): void {
    for (const [id, p] of Array.from(this.live.entries())) if (p.owner === owner) this.live.delete(id);
  }

  abortAll(): void {
    this.live.clear();
  }

  get size(): number {
    return this.live.size;
  }
}
