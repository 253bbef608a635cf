/**
 * The follower's fetch timeout (replica.fetch.wait.max.ms + replica.socket.timeout.ms), a deadline
 * on the host clock checked by one lazily re-armed timer per leader host (replica-fetcher.ts): an
 * unanswered fetch is re-sent as a full fetch exactly at its deadline, an answered one never is,
 * and answered fetches arm no timer of their own.
 */
import { describe, expect, it } from "vitest";
import type { HostContext } from "../../src/elector/api.ts";
import type { LocalReplicas } from "./local-replicas.ts";
import type { FetchRequest, FetchResponse } from "./messages.ts";
import { defaultKafkaControllerOptions } from "./options.ts";
import { ReplicaFetcher } from "./replica-fetcher.ts";
import type { ReplicaLogs } from "./replica-log.ts";
import { TIMER_FETCH_TIMEOUT, TIMER_SPACE } from "./timers.ts";

const LEADER = 1;
const TIMEOUT = 500 + 30_000; // the 2.x defaults: replica.fetch.wait.max.ms + replica.socket.timeout.ms

/** A follower (host 0) of one partition led by host 1, with a hand-driven clock and timer list. */
function follower() {
  let now = 0;
  const sent: { at: number; req: FetchRequest }[] = [];
  const timers: { at: number; tag: number }[] = [];
  const ctx = {
    host: 0,
    cluster: { brokers: 3 },
    now: () => now,
    sendStream: (_to: number, req: FetchRequest) => void sent.push({ at: now, req }),
    setTimer: (delay: number, tag: number) => (timers.push({ at: now + delay, tag }), timers.length),
    cancelTimer: () => {
      throw new Error("the fetch timeout is never cancelled");
    },
  } as unknown as HostContext;
  const replicas = {
    rf: 3,
    parts: Int32Array.of(7),
    leaderEpoch: Int32Array.of(0),
    truncating: Uint8Array.of(0),
    leo: Int32Array.of(0),
    fetchFrom: Int32Array.of(-1),
    promiseUntil: Float64Array.of(0),
    log: { lastEpoch: () => -1 } as unknown as ReplicaLogs,
    local: (p: number) => (p === 7 ? 0 : -1),
    localNear: (p: number) => (p === 7 ? 0 : -1),
  } as unknown as LocalReplicas;
  const fetcher = new ReplicaFetcher(ctx, defaultKafkaControllerOptions, replicas, 0);
  const empty: FetchResponse = {
    type: "kafka.FetchResponse",
    sentAt: 0,
    entries: [],
    epochAnswers: [],
    recordWrites: [],
    recordEpochs: [],
  };
  /** Advances the clock to `t`, firing due timers in time order. */
  const runTo = (t: number): void => {
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (next === undefined || next.at > t) break;
      timers.shift();
      now = next.at;
      expect(next.tag).toBe(TIMER_FETCH_TIMEOUT + TIMER_SPACE * LEADER);
      fetcher.onFetchTimer(LEADER);
    }
    now = t;
  };
  const answer = (at: number): void => {
    runTo(at);
    fetcher.onFetchResponse(LEADER, { ...empty, sentAt: at });
  };
  return { fetcher, sent, timers, runTo, answer };
}

describe("follower fetch timeout (lazy deadline)", () => {
  it("re-sends an unanswered fetch as a full fetch at its deadline, once", () => {
    const f = follower();
    f.fetcher.startFetching(0, LEADER);
    f.fetcher.fetchNoted();
    expect(f.sent.map((s) => s.req.partitions)).toEqual([[7]]);
    f.runTo(TIMEOUT - 1);
    expect(f.sent).toHaveLength(1);
    f.runTo(TIMEOUT);
    expect(f.sent.map((s) => s.at)).toEqual([0, TIMEOUT]);
    expect(f.sent[1].req.partitions).toEqual([7]); // full: every partition fetched from the leader
    expect(f.sent[1].req.answering).toBe(-1);
  });

  it("answered fetches arm no timer each; the deadline follows the newest fetch", () => {
    const f = follower();
    f.fetcher.startFetching(0, LEADER);
    f.fetcher.fetchNoted();
    for (let k = 1; k <= 100; k++) f.answer(k * 500); // idle long polls, one every 500 ms
    expect(f.sent).toHaveLength(101);
    expect(f.timers).toHaveLength(1); // armed once, at the first fetch
    const last = f.sent[100].at;
    f.runTo(last + TIMEOUT - 1);
    expect(f.sent).toHaveLength(101); // the first deadline passed long ago, but that fetch was answered
    f.runTo(last + TIMEOUT);
    expect(f.sent.map((s) => s.at).slice(-2)).toEqual([last, last + TIMEOUT]);
  });

  it("an answer that arrives before the deadline wins over the timer", () => {
    const f = follower();
    f.fetcher.startFetching(0, LEADER);
    f.fetcher.fetchNoted();
    f.answer(TIMEOUT - 0.5);
    f.runTo(2 * TIMEOUT);
    expect(f.sent.map((s) => s.at)).toEqual([0, TIMEOUT - 0.5, 2 * TIMEOUT - 0.5]);
  });
});
