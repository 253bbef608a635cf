import { describe, expect, it } from "vitest";
import { Harness } from "../testing/coordinator-harness.ts";

// Reading connections under load (server.ts; ZooKeeper 3.8's zookeeper.globalOutstandingLimit,
// ServerCnxn.incrOutstandingAndCheckThrottle / decrOutstandingAndCheckThrottle, the NIO selector
// reading one packet per ready connection per pass). Reads cost 1 ms here so that a few thousand
// requests make seconds of work: 6000 reads = 6 s, longer than the 4 s readTimeout of a 6 s session.
const SLOW_READS = { readMs: 1 };
const N = 6000;

/** Client 0 sends N reads, then client 1 sends N reads 1 ms later; runs 20 s. */
function herd(globalOutstandingLimit: number): Harness {
  const h = new Harness(2, { config: { ...SLOW_READS, globalOutstandingLimit } });
  h.connectAll([0, 1]);
  for (let i = 0; i < N; i++) h.client(0).getData("/", true, i);
  h.advance(1);
  for (let i = 0; i < N; i++) h.client(1).getData("/", true, i);
  h.advance(20_000);
  return h;
}

const lost = (h: Harness, host: number): number => h.results(host).filter((r) => r.err === "ConnectionLoss").length;

/** The longest time a client went without any result, from its first request until its last result. */
function longestSilence(h: Harness, host: number, from: number): number {
  let last = from;
  let gap = 0;
  for (const r of h.results(host)) {
    gap = Math.max(gap, r.t - last);
    last = r.t;
  }
  return gap;
}

describe("throttling (globalOutstandingLimit)", () => {
  it("a burst from one client does not silence another: both keep hearing replies and none loses its connection", () => {
    const h = herd(1000);
    const sent = h.kernel.now - 20_001;
    expect(lost(h, 0)).toBe(0);
    expect(lost(h, 1)).toBe(0);
    expect(h.results(0).filter((r) => r.err === "ok").length).toBe(N);
    expect(h.results(1).filter((r) => r.err === "ok").length).toBe(N);
    // The pipeline holds ~1000 requests (~1 s of reads here): client 1 waits about that long for
    // its first reply, then hears at least once per pipeline's worth, far inside its 4 s readTimeout.
    expect(longestSilence(h, 1, sent)).toBeLessThan(1500);
    expect(longestSilence(h, 0, sent)).toBeLessThan(1500);
    expect(h.server.stats().maxQueueLength).toBeLessThan(1010);
    expect(h.server.stats().sessionsExpired).toBe(0);
  });

  it("without the limit (0, the model before stop 22) the second client hears nothing for its readTimeout and loses every request in flight", () => {
    const h = herd(0);
    expect(lost(h, 0)).toBe(0);
    // Client 1's first read waits behind client 0's 6 s of reads; at 4 s without a reply it drops
    // the connection, and its requests fail with ConnectionLoss, though the server still runs them.
    expect(lost(h, 1)).toBe(N);
    // It reconnects at once, but even its pings then wait behind the queue: it drops the new
    // connection too, for as long as the queue lasts.
    expect(h.sessionStates(1).map((s) => s.state).slice(0, 3)).toEqual(["connected", "disconnected", "connected"]);
    expect(h.server.stats().maxQueueLength).toBeGreaterThan(2 * N - 100);
    expect(h.server.stats().reads).toBeGreaterThanOrEqual(2 * N); // the abandoned reads still ran
  });

  it("unread packets of a throttled connection wait in it; every connection keeps getting replies, though not an equal share", () => {
    const clients = 4;
    const h = new Harness(clients, { config: { ...SLOW_READS, globalOutstandingLimit: 100 } });
    h.connectAll([0, 1, 2, 3]);
    const sent = h.kernel.now;
    for (let k = 0; k < clients; k++) for (let i = 0; i < 1000; i++) h.client(k).getData("/", false, i);
    h.advance(10_000);
    expect(h.server.packetsHeld).toBeGreaterThan(3000);
    expect(h.server.stats().maxQueueLength).toBeLessThan(110);
    // Every client's 1000 replies, in order (the client checks xids), none lost.
    for (let k = 0; k < clients; k++) {
      const rs = h.results(k);
      expect(rs.length).toBe(1000);
      expect(rs.map((r) => r.tag)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      // No client waits more than a pipeline's worth (~100 reads, ~100 ms here) for its next reply.
      expect(longestSilence(h, k, sent)).toBeLessThan(150);
    }
    // The limit is global, not a fair share: client 0 filled the pipeline first and, re-enabled by
    // its own replies, keeps most of it; a client throttled with one request outstanding gets one
    // read per trip through the pipeline. So client 0 finishes well before the others.
    const end = (k: number): number => Math.max(...h.results(k).map((r) => r.t));
    expect(end(0)).toBeLessThan(end(1) - 1000);
  });
});
