/**
 * Progress of `electorate check` on stderr (stdout carries the report): on a terminal a bar
 * redrawn in place (at most 10 times a second); when stderr is not a terminal, one plain line
 * every few seconds. Hunt messages ("hunting: ...", "... failed at run k: shrinking") go through
 * `say`, which clears the bar first so the two never mix. The clock only paces the display.
 */
import type { HuntProgress } from "../../properties/hunt.ts";

export interface HuntProgressView {
  /** A hunt message, on its own line. */
  say(line: string): void;
  /** Runs of one hunt (an elector or variant) done out of its total. */
  search(algorithm: string, done: number, total: number): void;
  /** Worlds run while shrinking one violation. */
  shrink(algorithm: string, property: string, worlds: number, budget: number): void;
  /** Anything else worth naming on the bar (e.g. "replaying 12 counterexamples"). */
  phase(text: string): void;
  /** Clears the bar (before the report is printed). */
  finish(): void;
  /** The handler a hunt's onProgress takes. */
  readonly onProgress: (p: HuntProgress) => void;
}

export interface ProgressSink {
  write(text: string): void;
  readonly isTty: boolean;
  readonly columns?: number;
}

export function makeHuntProgress(sink: ProgressSink, options: { readonly totalRuns: number; readonly plainEveryMs?: number; readonly now?: () => number }): HuntProgressView {
  const now = options.now ?? ((): number => performance.now());
  const plainEveryMs = options.plainEveryMs ?? 5_000;
  const t0 = now();
  const doneBy = new Map<string, number>();
  const shrinking = new Map<string, string>();
  let phaseText = "";
  let drawn = false;
  let lastDraw = -Infinity;
  let lastPlain = t0;
  const totalDone = (): number => {
    let n = 0;
    for (const d of doneBy.values()) n += d;
    return n;
  };
  const text = (): { bar: string; line: string } => {
    const done = totalDone();
    const total = Math.max(options.totalRuns, 1);
    const frac = Math.min(1, done / total);
    const width = 24;
    const filled = Math.round(frac * width);
    const elapsed = (now() - t0) / 1000;
    const eta = done > 0 && done < total ? `, eta ${Math.ceil((elapsed / done) * (total - done))} s` : "";
    const shrinks = [...shrinking.values()];
    const what = phaseText !== "" ? phaseText : shrinks.length > 0 ? `shrinking ${shrinks.join("; ")}` : "";
    return {
      bar: `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${options.totalRuns} runs ${elapsed.toFixed(0)} s${eta}${what !== "" ? `  ${what}` : ""}`,
      line: `progress: ${done}/${options.totalRuns} runs searched (${(frac * 100).toFixed(0)} %), ${elapsed.toFixed(0)} s${eta}${what !== "" ? `; ${what}` : ""}`,
    };
  };
  const clear = (): void => {
    if (drawn) sink.write("\r\x1b[2K");
    drawn = false;
  };
  const draw = (force = false): void => {
    const t = now();
    const parts = text();
    if (sink.isTty) {
      if (!force && t - lastDraw < 100) return;
      lastDraw = t;
      sink.write(`\r\x1b[2K${parts.bar.slice(0, (sink.columns ?? 120) - 1)}`);
      drawn = true;
    } else if (t - lastPlain >= plainEveryMs) {
      lastPlain = t;
      sink.write(`${parts.line}\n`);
    }
  };
  const view: HuntProgressView = {
    say(line) {
      clear();
      sink.write(line.endsWith("\n") ? line : `${line}\n`);
      if (sink.isTty) draw(true);
    },
    search(algorithm, done) {
      doneBy.set(algorithm, done);
      draw();
    },
    shrink(algorithm, property, worlds, budget) {
      shrinking.set(`${algorithm} ${property}`, `${algorithm} ${property} (${worlds}/${budget} worlds)`);
      draw();
    },
    phase(t) {
      phaseText = t;
      shrinking.clear();
      draw(true);
    },
    finish() {
      clear();
    },
    onProgress: (p) => {
      if (p.phase === "search") view.search(p.algorithm, p.done, p.total);
      else if (p.phase === "shrink") view.shrink(p.algorithm, p.property, p.worlds, p.budget);
      else {
        shrinking.delete(`${p.algorithm} ${p.property}`);
        draw();
      }
    },
  };
  return view;
}
