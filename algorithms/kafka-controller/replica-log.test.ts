/**
 * The partition log's rules on their own: declarations, durability across a restart, and
 * truncation by leader epoch (KIP-101 with KIP-279's fix) on the cases of KIP-101's write-up:
 * a follower with an uncommitted tail of the same epoch, a follower that led in an epoch the new
 * leader never saw, and a leader without the follower's epoch at all.
 */
import { describe, expect, it } from "vitest";
import type { HostContext } from "../../src/elector/api.ts";
import { ReplicaLogs } from "./replica-log.ts";

type Call = [string, number, ...number[]];

/** A context with a durable store (kept across `make`) and an observer that records its calls. */
function host(): { make: () => ReplicaLogs; calls: Call[] } {
  const durable = new Map<string, unknown>();
  const calls: Call[] = [];
  const ctx = {
    durable: { get: (k: string) => durable.get(k), set: (k: string, v: unknown) => void durable.set(k, v) },
    observer: {
      append: (p: number, w: number, pos: number, e: number) => calls.push(["append", p, w, pos, e]),
      truncate: (p: number, from: number) => calls.push(["truncate", p, from]),
      commit: (p: number, n: number) => calls.push(["commit", p, n]),
    },
  } as unknown as HostContext;
  return { make: () => new ReplicaLogs(ctx, Int32Array.of(7)), calls };
}

/** A log of partition 7 holding entries of these epochs (write ids 100, 101, ...). */
function logOf(epochs: readonly number[]): ReplicaLogs {
  const log = host().make();
  epochs.forEach((e, k) => log.append(0, 100 + k, e));
  return log;
}

/** Where the follower truncates after asking the leader about its last epoch. */
function truncateTo(leader: ReplicaLogs, follower: ReplicaLogs): number {
  const answer = leader.epochAnswer(0, follower.lastEpoch(0));
  return follower.truncationPoint(0, answer.epoch, answer.endOffset);
}

describe("kafka-controller: the partition log", () => {
  it("declares appends, truncations and high-watermark advances (never backwards), and survives a restart", () => {
    const { make, calls } = host();
    const log = make();
    expect(log.append(0, 100, 1)).toBe(0);
    expect(log.append(0, 101, 1)).toBe(1);
    log.commit(0, 2);
    log.commit(0, 1); // not declared: the high watermark does not move back
    log.truncate(0, 5); // nothing beyond the end: not declared
    log.truncate(0, 1);
    expect(calls).toEqual([
      ["append", 7, 100, 0, 1],
      ["append", 7, 101, 1, 1],
      ["commit", 7, 2],
      ["truncate", 7, 1],
    ]);
    expect(log.hw(0)).toBe(1); // the high watermark cannot stay above the log end
    const restarted = make();
    expect([restarted.length(0), restarted.writeAt(0, 0), restarted.lastEpoch(0), restarted.hw(0)]).toEqual([1, 100, 1, 1]);
  });

  it("a follower's uncommitted tail of the leader's own epoch: kept up to the leader's end of that epoch", () => {
    // Leader (epoch 2 now): [1, 1, 2]; follower: [1, 1, 1] (its third entry never reached the leader).
    expect(truncateTo(logOf([1, 1, 2]), logOf([1, 1, 1]))).toBe(2);
    // Same epoch, the follower simply behind: nothing to truncate.
    expect(truncateTo(logOf([1, 1, 1, 1]), logOf([1, 1]))).toBe(2);
  });

  it("a follower that led in an epoch the new leader never saw (KIP-279): back to the last common epoch's end", () => {
    // Follower led epoch 3 and appended [3, 3]; the new leader went from epoch 1 to 4.
    expect(truncateTo(logOf([1, 1, 4, 4]), logOf([1, 1, 3, 3]))).toBe(2);
    // The follower's epoch-1 tail beyond the leader's: cut at the leader's end of epoch 1.
    expect(truncateTo(logOf([1, 4]), logOf([1, 1, 3]))).toBe(1);
  });

  it("a leader holding no entry of the follower's epoch or earlier: everything goes; an empty follower keeps nothing", () => {
    expect(truncateTo(logOf([5, 5]), logOf([3, 3]))).toBe(0);
    expect(truncateTo(logOf([1, 2]), logOf([]))).toBe(0);
  });
});
