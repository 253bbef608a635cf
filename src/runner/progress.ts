/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per finished cell otherwise
 * (only when asked for with --progress). Never on stdout, which carries results.
 */
export interface Progress {
  start(total: number, skipped: number): void;
  cellDone(label: string, wallMs: number): void;
  finish(): void;
}

export const noProgress: Progress = { start() {}, cellDone() {}, finish() {} };

export function makeProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let total = 0;
  let done = 0;
  let skipped = 0;
  let t0 = 0;
  const width = 28;
  const line = (label: string): string => {
    const frac = total === 0 ? 1 : done / total;
    const filled = Math.round(frac * width);
    const elapsed = (performance.now() - t0) / 1000;
    const eta = done > 0 && done < total ? ` eta ${Math.ceil((elapsed / done) * (total - done))}s` : "";
    return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} cells ${elapsed.toFixed(1)}s${eta}  ${label}`;
  };
  return {
    start(n, s) {
      total = n;
      skipped = s;
      done = 0;
      t0 = performance.now();
      if (skipped > 0) stream.write(`resuming: ${skipped} cells already done\n`);
      if (tty) stream.write(line("starting"));
    },
    cellDone(label, wallMs) {
      done++;
      const text = line(`${label} (${wallMs.toFixed(0)} ms)`);
      if (tty) stream.write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 120) - 1)}`);
      else stream.write(`${text}\n`);
    },
    finish() {
      if (tty) stream.write("\n");
    },
  };
}
