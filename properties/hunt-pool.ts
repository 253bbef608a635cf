/**
 * Worker threads for property hunts: `electorate check` and the property suite hand independent
 * pieces of work (shares of a random search, shrinks, replays: hunt-tasks.ts) to a fixed set of
 * threads. Tasks queue in the order given, but for shrinks and search shares (queueIndex), and
 * each thread takes the next when it is free; what a task computes does not depend on which thread
 * ran it or when, so a hunt's report is the same for any number of threads (hunt.ts folds search
 * records in run order).
 */
import type { Worker } from "node:worker_threads";
import { startHuntThread, takeEarlyThreads } from "./early-threads.ts";
import type { HuntEvent, HuntTask } from "./hunt-tasks.ts";

interface Job {
  readonly id: number;
  readonly task: HuntTask;
  readonly onEvent: ((e: HuntEvent) => void) | undefined;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
}


/**
 * Where a task joins the queue. Shrinks go ahead of other tasks (after earlier shrinks): a shrink
 * is one long sequential task, and started while searches still queue it overlaps them instead of
 * running alone at the end. Search shares go by share index, every search's first share before any
 * search's second (hunt.ts gives a search one share per thread, all claiming runs from one
 * counter): side by side hunts then start on different threads, each thread hunting one elector
 * alone, and a later share joins a search once every first share has started. A thread thus runs
 * fewer electors, and interprets, warms up and compiles fewer of them: each worker thread is an
 * isolate of its own (docs/performance.md, stop 27). A share that finds every run claimed ends at
 * once. Anything else goes last.
 */
export function queueIndex(queue: readonly { readonly task: HuntTask }[], task: HuntTask): number {
  const at =
    task.kind === "shrink"
      ? queue.findIndex((j) => j.task.kind !== "shrink")
      : task.kind === "search"
        ? queue.findIndex((j) => j.task.kind === "search" && j.task.share.worker > task.share.worker)
        : -1;
  return at < 0 ? queue.length : at;
}

export class HuntPool {
  private readonly threads: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;
  private dispatchSoon = false;

  /**
   * `size` worker threads, started at once (each loads the lab: ~0.2 s of CPU from the bundle,
   * about a second from the sources); threads the CLI started before it loaded (early-threads.ts)
   * are adopted first.
   */
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a hunt pool needs at least one thread, got ${size}`);
    const early = takeEarlyThreads(size);
    for (let i = 0; i < size; i++) this.threads.push(this.wire(early[i] ?? startHuntThread()));
  }

  private wire(w: Worker): Worker {
    w.on("message", (m: { id: number; event?: HuntEvent; result?: unknown; error?: { name: string; message: string; stack?: string } }) => {
      const job = this.busy.get(w);
      if (job === undefined || job.id !== m.id) return;
      if (m.event !== undefined) {
        job.onEvent?.(m.event);
        return;
      }
      this.busy.delete(w);
      if (m.error !== undefined) {
        const e = new Error(m.error.message);
        e.name = m.error.name;
        if (m.error.stack !== undefined) e.stack = m.error.stack;
        job.reject(e);
      } else job.resolve(m.result);
      this.dispatch();
    });
    const fail = (e: Error): void => {
      const job = this.busy.get(w);
      this.busy.delete(w);
      if (this.closed) return;
      // A thread that died takes its task with it; the pool cannot keep its promises: fail them all.
      const err = new Error(`a hunt worker thread stopped: ${e.message}`);
      job?.reject(err);
      this.closeWith(err);
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`exit code ${code}`)));
    return w;
  }

  /** Runs a task on the next free thread (in queueIndex's order); `onEvent` receives what it sends while it runs. */
  run<T>(task: HuntTask, onEvent?: (e: HuntEvent) => void): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the hunt pool is closed"));
    return new Promise<T>((resolve, reject) => {
      const job: Job = { id: this.nextId++, task, onEvent, resolve: resolve as (v: unknown) => void, reject };
      this.queue.splice(queueIndex(this.queue, task), 0, job);
      // Handed out once the tasks asked for in this turn of the event loop are all queued (side by
      // side hunts ask after an await each), so the order above holds among them.
      if (!this.dispatchSoon) {
        this.dispatchSoon = true;
        setImmediate(() => {
          this.dispatchSoon = false;
          if (!this.closed) this.dispatch();
        });
      }
    });
  }

  private dispatch(): void {
    for (const w of this.threads) {
      if (this.queue.length === 0) return;
      if (this.busy.has(w)) continue;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage({ id: job.id, task: job.task });
    }
  }

  private closeWith(e: Error): void {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(e);
    for (const job of this.busy.values()) job.reject(e);
    this.busy.clear();
    for (const w of this.threads) void w.terminate();
  }

  /** Stops every thread at once (also mid-task: Ctrl-C); pending tasks are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const e = new Error("the hunt pool was closed");
    for (const job of this.queue.splice(0)) job.reject(e);
    for (const job of this.busy.values()) job.reject(e);
    this.busy.clear();
    await Promise.all(this.threads.map((w) => w.terminate()));
  }
}
