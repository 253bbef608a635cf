import { describe, expect, it } from "vitest";
import { HostStatus, Kernel, type HostLifecycleListener } from "./kernel.ts";

type Entry = [now: number, kind: string, target: number, a: number];

/** A kernel with a "timer" (host-bound) and a "tick" (not host-bound) kind that log each call. */
function setup(hosts = 3) {
  const kernel = new Kernel(hosts);
  const log: Entry[] = [];
  const timer = kernel.registerKind("timer", { handle: (t, a) => log.push([kernel.now, "timer", t, a]) }, true);
  const tick = kernel.registerKind("tick", { handle: (t, a) => log.push([kernel.now, "tick", t, a]) }, false);
  return { kernel, log, timer, tick };
}

describe("Kernel scheduling", () => {
  it("registers kinds from 1 and names them", () => {
    const { kernel, timer, tick } = setup();
    expect(timer).toBe(1);
    expect(tick).toBe(2);
    expect(kernel.kindName(0)).toBe("cancelled");
    expect(kernel.kindName(timer)).toBe("timer");
    expect(kernel.kindName(tick)).toBe("tick");
    expect(kernel.kindName(99)).toBe("kind#99");
  });

  it("runs events in (time, insertion) order and advances the clock", () => {
    const { kernel, log, timer, tick } = setup();
    kernel.schedule(10, timer, 0, 1, 0, undefined);
    kernel.schedule(5, tick, 1, 2, 0, undefined);
    kernel.schedule(10, tick, 2, 3, 0, undefined);
    kernel.after(7.5, timer, 1, 4, 0, undefined);
    kernel.runUntil(9);
    expect(kernel.now).toBe(9);
    expect(log).toEqual([
      [5, "tick", 1, 2],
      [7.5, "timer", 1, 4],
    ]);
    kernel.runUntil(10); // inclusive
    expect(log.slice(2)).toEqual([
      [10, "timer", 0, 1],
      [10, "tick", 2, 3],
    ]);
    expect(kernel.now).toBe(10);
    expect(kernel.eventsProcessed).toBe(4);
    expect(kernel.queue.size).toBe(0);
  });

  it("clamps times in the past to now and schedules `after` relative to now", () => {
    const { kernel, log, tick } = setup();
    kernel.runUntil(100);
    kernel.schedule(50, tick, 0, 1, 0, undefined);
    kernel.after(0, tick, 0, 2, 0, undefined);
    kernel.after(2.5, tick, 0, 3, 0, undefined);
    expect(kernel.runToQuiescence()).toBe(true);
    expect(log).toEqual([
      [100, "tick", 0, 1],
      [100, "tick", 0, 2],
      [102.5, "tick", 0, 3],
    ]);
  });

  it("runs events scheduled at now by a handler after those already queued at now", () => {
    const kernel = new Kernel(1);
    const log: string[] = [];
    const k2 = kernel.registerKind("b", { handle: (_t, a) => log.push(`b${a}@${kernel.now}`) }, false);
    const k1 = kernel.registerKind(
      "a",
      {
        handle: (_t, a) => {
          log.push(`a${a}@${kernel.now}`);
          if (a === 0) kernel.after(0, k2, 0, 9, 0, undefined);
        },
      },
      false,
    );
    kernel.schedule(3, k1, 0, 0, 0, undefined);
    kernel.schedule(3, k1, 0, 1, 0, undefined);
    kernel.schedule(3.5, k2, 0, 2, 0, undefined);
    kernel.runToQuiescence();
    expect(log).toEqual(["a0@3", "a1@3", "b9@3", "b2@3.5"]);
  });

  it("stops after maxEvents in runToQuiescence", () => {
    const { kernel, log, tick } = setup();
    for (let i = 0; i < 5; i++) kernel.schedule(i, tick, 0, i, 0, undefined);
    expect(kernel.runToQuiescence(3)).toBe(false);
    expect(log.map((e) => e[3])).toEqual([0, 1, 2]);
    expect(kernel.runToQuiescence()).toBe(true);
    expect(log.map((e) => e[3])).toEqual([0, 1, 2, 3, 4]);
    expect(kernel.step()).toBe(false);
  });

  it("runs events at Infinity after every finite one, and never within runUntil", () => {
    const { kernel, log, tick } = setup();
    kernel.schedule(Infinity, tick, 0, 1, 0, undefined);
    kernel.after(Infinity, tick, 0, 2, 0, undefined);
    kernel.schedule(1e12, tick, 0, 3, 0, undefined);
    kernel.runUntil(5000);
    expect(log).toEqual([]);
    expect(kernel.now).toBe(5000);
    kernel.runUntil(1e12);
    expect(log).toEqual([[1e12, "tick", 0, 3]]);
    kernel.runUntil(1e15);
    expect(log.length).toBe(1);
    kernel.schedule(2e15, tick, 0, 4, 0, undefined); // scheduled after the Infinity ones
    expect(kernel.runToQuiescence()).toBe(true);
    expect(log.slice(1)).toEqual([
      [2e15, "tick", 0, 4],
      [Infinity, "tick", 0, 1],
      [Infinity, "tick", 0, 2],
    ]);
  });

  it("dispatches kinds named by dispatchDirectly in the same order, with the same trace hash", () => {
    const run = (direct: number[]) => {
      const kernel = new Kernel(3);
      const log: string[] = [];
      const kinds = ["a", "b", "c", "d"].map((name, i) =>
        kernel.registerKind(name, { handle: (t, a) => void log.push(`${kernel.now} ${name} ${t} ${a}`) }, i % 2 === 0),
      );
      for (const k of direct) kernel.dispatchDirectly(kinds[k]);
      for (let i = 0; i < 200; i++) kernel.schedule((i * 7919) % 53, kinds[i % 4], i % 3, i, 0, undefined);
      kernel.pause(1);
      kernel.runUntil(20);
      kernel.resume(1);
      kernel.runToQuiescence();
      return { log, hash: kernel.traceHash() };
    };
    const plain = run([]);
    expect(plain.log.length).toBe(200);
    expect(run([0, 3])).toEqual(plain);
    expect(run([2, 2, 1, 0])).toEqual(plain); // a repeat is ignored, a third kind stays on the shared call
  });

  it("refuses NaN times", () => {
    const { kernel, tick } = setup();
    expect(() => kernel.schedule(NaN, tick, 0, 0, 0, undefined)).toThrow(/NaN/);
    expect(() => kernel.after(NaN, tick, 0, 0, 0, undefined)).toThrow(/NaN/);
  });

  it("hands the payload object to the handler", () => {
    const kernel = new Kernel(1);
    const seen: unknown[] = [];
    const k = kernel.registerKind("obj", { handle: (_t, a, b, obj) => seen.push([a, b, obj]) }, false);
    const payload = { hello: "world" };
    kernel.schedule(1, k, 0, 1.5, -2.25, payload);
    kernel.runToQuiescence();
    expect(seen).toEqual([[1.5, -2.25, payload]]);
    expect((seen[0] as unknown[])[2]).toBe(payload);
  });
});

describe("Kernel cancellation", () => {
  it("cancels a pending event; cancelling twice or after it ran is harmless", () => {
    const { kernel, log, tick } = setup();
    const h1 = kernel.schedule(1, tick, 0, 1, 0, undefined);
    const h2 = kernel.schedule(2, tick, 0, 2, 0, undefined);
    kernel.cancel(h2);
    kernel.cancel(h2);
    kernel.runToQuiescence();
    kernel.cancel(h1);
    expect(log).toEqual([[1, "tick", 0, 1]]);
    expect(kernel.eventsProcessed).toBe(1);
    expect(kernel.queue.size).toBe(0);
  });

  it("does not let a stale handle cancel an event that reused its slot", () => {
    const { kernel, log, tick } = setup();
    const stale = kernel.schedule(1, tick, 0, 1, 0, undefined);
    kernel.runToQuiescence();
    const fresh = kernel.schedule(2, tick, 0, 2, 0, undefined);
    // Same slot, new generation.
    expect(fresh % 67108864).toBe(stale % 67108864);
    expect(fresh).not.toBe(stale);
    kernel.cancel(stale);
    kernel.runToQuiescence();
    expect(log).toEqual([
      [1, "tick", 0, 1],
      [2, "tick", 0, 2],
    ]);
  });

  it("does not let a cancelled event's handle cancel the slot's next event", () => {
    const { kernel, log, tick } = setup();
    const h = kernel.schedule(1, tick, 0, 1, 0, undefined);
    kernel.cancel(h);
    kernel.runToQuiescence(); // the cancelled event surfaces and frees its slot
    const next = kernel.schedule(2, tick, 0, 2, 0, undefined);
    expect(next % 67108864).toBe(h % 67108864);
    kernel.cancel(h);
    kernel.runToQuiescence();
    expect(log).toEqual([[2, "tick", 0, 2]]);
  });

  it("ignores a handler cancelling its own (running) event and a timer rescheduled into the same slot", () => {
    const kernel = new Kernel(1);
    const log: number[] = [];
    let handle = -1;
    let fired = 0;
    const k = kernel.registerKind(
      "self",
      {
        handle: () => {
          log.push(kernel.now);
          const old = handle;
          if (++fired < 3) handle = kernel.after(10, k, 0, 0, 0, undefined);
          kernel.cancel(old); // stale: refers to the event now running
        },
      },
      false,
    );
    handle = kernel.schedule(0, k, 0, 0, 0, undefined);
    kernel.runToQuiescence();
    expect(log).toEqual([0, 10, 20]);
  });

  it("cancels many events among many live ones", () => {
    const { kernel, log, tick } = setup();
    const handles: number[] = [];
    for (let i = 0; i < 5000; i++) handles.push(kernel.schedule((i * 7919) % 10007, tick, 0, i, 0, undefined));
    for (let i = 0; i < 5000; i += 2) kernel.cancel(handles[i]);
    kernel.runToQuiescence();
    const ran = log.map((e) => e[3]);
    expect(ran.length).toBe(2500);
    expect(ran.every((i) => i % 2 === 1)).toBe(true);
    const times = log.map((e) => e[0]);
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });
});

describe("Kernel hosts", () => {
  function listener(kernel: Kernel, calls: string[]): HostLifecycleListener {
    return {
      hostCrashed: (h) => calls.push(`crashed ${h} @${kernel.now}`),
      hostRestarted: (h) => calls.push(`restarted ${h} @${kernel.now}`),
      hostPaused: (h) => calls.push(`paused ${h} @${kernel.now}`),
      hostResumed: (h) => calls.push(`resumed ${h} @${kernel.now}`),
    };
  }

  it("drops a crashed host's timers and deliveries, also after a restart", () => {
    const { kernel, log, timer, tick } = setup();
    kernel.schedule(10, timer, 0, 1, 0, undefined); // host 0, before the crash
    kernel.schedule(30, timer, 0, 2, 0, undefined); // host 0, due after the restart
    kernel.schedule(10, timer, 1, 3, 0, undefined); // host 1: unaffected
    kernel.schedule(10, tick, 0, 4, 0, undefined); // not host-bound: unaffected
    kernel.runUntil(5);
    kernel.crash(0);
    expect(kernel.hostStatus(0)).toBe(HostStatus.Crashed);
    expect(kernel.isUp(0)).toBe(false);
    expect(kernel.incarnation(0)).toBe(1);
    kernel.schedule(15, timer, 0, 5, 0, undefined); // scheduled while crashed, due while crashed
    kernel.schedule(25, timer, 0, 6, 0, undefined); // scheduled while crashed, due after the restart
    kernel.runUntil(20);
    kernel.restart(0);
    expect(kernel.hostStatus(0)).toBe(HostStatus.Up);
    expect(kernel.incarnation(0)).toBe(1);
    kernel.schedule(30, timer, 0, 7, 0, undefined); // new incarnation
    kernel.runToQuiescence();
    expect(log).toEqual([
      [10, "timer", 1, 3],
      [10, "tick", 0, 4],
      [25, "timer", 0, 6],
      [30, "timer", 0, 7],
    ]);
    expect(kernel.eventsDropped).toBe(3); // 1, 5 (host down) and 2 (old incarnation)
    expect(kernel.eventsProcessed).toBe(4);
  });

  it("drops events of every earlier incarnation after repeated crashes", () => {
    const { kernel, log, timer } = setup(1);
    kernel.schedule(100, timer, 0, 0, 0, undefined);
    kernel.crash(0);
    kernel.restart(0);
    kernel.schedule(100, timer, 0, 1, 0, undefined);
    kernel.crash(0);
    kernel.restart(0);
    kernel.schedule(100, timer, 0, 2, 0, undefined);
    expect(kernel.incarnation(0)).toBe(2);
    kernel.runToQuiescence();
    expect(log).toEqual([[100, "timer", 0, 2]]);
    expect(kernel.eventsDropped).toBe(2);
  });

  it("defers a paused host's events and replays them at resume in original order, clock jumped", () => {
    const { kernel, log, timer, tick } = setup();
    kernel.schedule(10, timer, 0, 1, 0, undefined);
    kernel.schedule(20, timer, 0, 2, 0, undefined);
    kernel.schedule(20, timer, 1, 3, 0, undefined); // other host runs on time
    kernel.schedule(15, tick, 0, 4, 0, undefined); // not host-bound: runs on time
    kernel.schedule(12.5, timer, 0, 5, 0, undefined);
    kernel.runUntil(5);
    kernel.pause(0);
    expect(kernel.hostStatus(0)).toBe(HostStatus.Paused);
    expect(kernel.isUp(0)).toBe(false);
    kernel.runUntil(50);
    expect(log).toEqual([
      [15, "tick", 0, 4],
      [20, "timer", 1, 3],
    ]);
    kernel.resume(0);
    kernel.runUntil(50);
    expect(log.slice(2)).toEqual([
      [50, "timer", 0, 1],
      [50, "timer", 0, 5],
      [50, "timer", 0, 2],
    ]);
    expect(kernel.hostStatus(0)).toBe(HostStatus.Up);
    expect(kernel.eventsDropped).toBe(0);
    expect(kernel.eventsProcessed).toBe(5);
  });

  it("replays held events before events due exactly at the resume time that were scheduled later", () => {
    const { kernel, log, timer, tick } = setup(1);
    const resumeKind = kernel.registerKind("resume", { handle: (h) => kernel.resume(h) }, false);
    kernel.pause(0);
    kernel.schedule(200, resumeKind, 0, 0, 0, undefined);
    kernel.schedule(150, timer, 0, 1, 0, undefined); // held
    kernel.schedule(200, timer, 0, 2, 0, undefined); // due at the resume time, scheduled after it
    kernel.schedule(200, tick, 0, 3, 0, undefined);
    kernel.runToQuiescence();
    expect(log).toEqual([
      [200, "timer", 0, 1],
      [200, "timer", 0, 2],
      [200, "tick", 0, 3],
    ]);
  });

  it("keeps the rest of the held events if a replayed one pauses or crashes the host", () => {
    const kernel = new Kernel(1);
    const log: string[] = [];
    const k = kernel.registerKind(
      "e",
      {
        handle: (_t, a) => {
          log.push(`${a}@${kernel.now}`);
          if (a === 1) kernel.pause(0);
          if (a === 3) kernel.crash(0);
        },
      },
      true,
    );
    kernel.pause(0);
    for (let i = 0; i < 5; i++) kernel.schedule(10 + i, k, 0, i, 0, undefined);
    kernel.runUntil(100);
    kernel.resume(0); // replays 0, 1; 1 pauses the host again
    kernel.runUntil(200);
    expect(log).toEqual(["0@100", "1@100"]);
    kernel.resume(0); // replays 2, 3; 3 crashes the host, 4 is dropped
    kernel.runUntil(300);
    expect(log).toEqual(["0@100", "1@100", "2@200", "3@200"]);
    expect(kernel.hostStatus(0)).toBe(HostStatus.Crashed);
    expect(kernel.eventsDropped).toBe(1);
  });

  it("drops (and counts) held events when a paused host crashes", () => {
    const { kernel, log, timer } = setup(1);
    kernel.pause(0);
    kernel.schedule(10, timer, 0, 1, 0, undefined);
    kernel.schedule(20, timer, 0, 2, 0, undefined);
    kernel.runUntil(30);
    kernel.crash(0);
    kernel.restart(0);
    kernel.runToQuiescence();
    expect(log).toEqual([]);
    expect(kernel.eventsDropped).toBe(2);
    expect(kernel.eventsProcessed).toBe(0);
  });

  it("tells the lifecycle listener about each real state change only", () => {
    const { kernel } = setup(2);
    const calls: string[] = [];
    kernel.setLifecycleListener(listener(kernel, calls));
    kernel.restart(0); // not crashed: no-op
    kernel.resume(0); // not paused: no-op
    kernel.runUntil(1);
    kernel.pause(0);
    kernel.pause(0); // already paused
    kernel.restart(0); // paused, not crashed
    kernel.runUntil(2);
    kernel.resume(0);
    kernel.runUntil(3);
    kernel.crash(1);
    kernel.crash(1); // already crashed
    kernel.pause(1); // crashed hosts do not pause
    kernel.resume(1);
    kernel.runUntil(4);
    kernel.restart(1);
    kernel.pause(1);
    kernel.crash(1); // a paused host can crash
    expect(calls).toEqual([
      "paused 0 @1",
      "resumed 0 @2",
      "crashed 1 @3",
      "restarted 1 @4",
      "paused 1 @4",
      "crashed 1 @4",
    ]);
    expect(kernel.incarnation(0)).toBe(0);
    expect(kernel.incarnation(1)).toBe(2);
  });

  it("works without the optional pause/resume listener methods", () => {
    const { kernel } = setup(1);
    const calls: string[] = [];
    kernel.setLifecycleListener({ hostCrashed: (h) => calls.push(`c${h}`), hostRestarted: (h) => calls.push(`r${h}`) });
    kernel.pause(0);
    kernel.resume(0);
    kernel.crash(0);
    kernel.restart(0);
    expect(calls).toEqual(["c0", "r0"]);
  });
});

describe("Kernel trace hash", () => {
  it("is 16 hex digits and depends on events and mixed values", () => {
    const a = setup();
    const b = setup();
    expect(a.kernel.traceHash()).toMatch(/^[0-9a-f]{16}$/);
    expect(a.kernel.traceHash()).toBe(b.kernel.traceHash());
    a.kernel.schedule(1, a.timer, 0, 1, 0, undefined);
    b.kernel.schedule(1, b.timer, 0, 1, 0, undefined);
    a.kernel.runToQuiescence();
    b.kernel.runToQuiescence();
    expect(a.kernel.traceHash()).toBe(b.kernel.traceHash());
    a.kernel.mix(42);
    expect(a.kernel.traceHash()).not.toBe(b.kernel.traceHash());
    b.kernel.mix(43);
    expect(a.kernel.traceHash()).not.toBe(b.kernel.traceHash());
  });

  it("changes with the time, kind, target or argument of an event", () => {
    const base = (t: number, useTick: boolean, target: number, a: number): string => {
      const s = setup();
      s.kernel.schedule(t, useTick ? s.tick : s.timer, target, a, 0, undefined);
      s.kernel.runToQuiescence();
      return s.kernel.traceHash();
    };
    const ref = base(1, false, 0, 1);
    expect(base(1, false, 0, 1)).toBe(ref);
    const variants = [base(2, false, 0, 1), base(1, true, 0, 1), base(1, false, 1, 1), base(1, false, 0, 2)];
    expect(new Set([ref, ...variants]).size).toBe(5);
  });

  it("records crashes, restarts, pauses and resumes", () => {
    const hashes = new Set<string>();
    const s = setup();
    hashes.add(s.kernel.traceHash());
    s.kernel.pause(0);
    hashes.add(s.kernel.traceHash());
    s.kernel.resume(0);
    hashes.add(s.kernel.traceHash());
    s.kernel.crash(0);
    hashes.add(s.kernel.traceHash());
    s.kernel.restart(0);
    hashes.add(s.kernel.traceHash());
    expect(hashes.size).toBe(5);
  });
});
