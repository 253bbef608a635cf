/** The testbed's ctx.persist: completions after fsyncMs, FIFO, lost at a crash, held by a pause. */
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { defineElector, type ElectorInstance, type HostContext } from "../elector/api.ts";
import { Testbed } from "./testbed.ts";

const done: string[] = [];

class Persister implements ElectorInstance {
  constructor(private readonly ctx: HostContext) {}
  start(): void {
    this.ctx.persist?.(this.ctx.host * 10 + 1);
    this.ctx.persist?.(this.ctx.host * 10 + 2);
  }
  onPersisted(tag: number): void {
    done.push(`${this.ctx.host}:${tag}@${this.ctx.now()}`);
  }
  onMessage(): void {}
  onTimer(): void {}
  onZk(): void {}
  onWrite(p: number, w: number): void {
    this.ctx.observer.rejected(p, w);
  }
}

const persister = defineElector({
  name: "persister",
  description: "persists twice at start",
  options: Schema.Struct({}),
  claims: () => ({ noLostAcknowledgedWrites: true, noDivergence: true, noSameEpochLeaders: true, liveness: false }),
  quietPeriodMs: () => 0,
  usesCoordinator: false,
  create: (ctx) => new Persister(ctx),
});

describe("Testbed: ctx.persist", () => {
  it("completes after fsyncMs in request order; a crash loses pending completions; a pause holds them", () => {
    done.length = 0;
    const bed = new Testbed({ elector: persister, hosts: 3, fsyncMs: 4 });
    bed.crash(1);
    bed.pause(2);
    bed.runUntil(10);
    expect(done).toEqual(["0:1@4", "0:2@4"]);
    bed.resume(2);
    bed.runUntil(10); // the resumed host gets what came due at once
    expect(done).toEqual(["0:1@4", "0:2@4", "2:21@10", "2:22@10"]);
  });
});
