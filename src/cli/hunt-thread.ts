/**
 * `electorate check` on a worker thread. A property hunt is one long synchronous computation: on
 * the main thread it would hold off Ctrl-C until it ends (over a minute for --runs 100000). On a
 * worker, the main thread stays free: Ctrl-C terminates the worker at once (V8 stops it between
 * two instructions), and the command prints what was finished — the progress lines received so
 * far — and exits 130.
 */
import { Worker } from "node:worker_threads";
import type { HuntOptions } from "../../properties/hunt.ts";

export type HuntOutcome = { readonly interrupted: false; readonly report: unknown } | { readonly interrupted: true; readonly lines: number };

/** Runs the hunt on a worker thread; `out` receives its progress lines as they come. */
export function huntInThread(options: Omit<HuntOptions, "out">, out: (line: string) => void, signal: AbortSignal): Promise<HuntOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./hunt-worker.mjs", import.meta.url), { workerData: options });
    let lines = 0;
    let settled = false;
    const finish = (o: HuntOutcome): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      resolve(o);
    };
    const onAbort = (): void => {
      void worker.terminate();
      finish({ interrupted: true, lines });
    };
    signal.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (m: { line?: string; report?: unknown }) => {
      if (typeof m.line === "string") {
        lines++;
        out(m.line);
      } else if ("report" in m) {
        finish({ interrupted: false, report: m.report });
        void worker.terminate();
      }
    });
    worker.on("error", (e) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      reject(e);
    });
    worker.on("exit", () => finish({ interrupted: true, lines }));
    if (signal.aborted) onAbort();
  });
}
