/**
 * One writer per output folder. Two sweeps writing into the same folder would interleave their
 * results.jsonl and replace each other's results.json; the second one is refused instead (exit 2,
 * naming the holder). The lock is a file `.electorate.lock` in the folder, created exclusively,
 * holding the holder's pid and command line. A lock whose process is gone (killed, machine
 * rebooted) is stale: it is taken over, with a notice. Released when the command ends, and on
 * process exit.
 */
import { closeSync, constants, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { BadInputError, printable } from "../scenario/issues.ts";
import { ioError } from "./files.ts";

export const LOCK_FILE = ".electorate.lock";

export interface LockHolder {
  readonly pid: number;
  readonly command: string;
}

export interface OutputLock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const o = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    return { pid: Number(o.pid), command: typeof o.command === "string" ? o.command : "?" };
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock of `dir` (which must exist) for `command`. `notice` receives the take-over of a
 * stale lock. Throws BadInputError when a live process holds it.
 */
export function acquireOutputLock(dir: string, command: string, notice: (text: string) => void): OutputLock {
  const path = join(dir, LOCK_FILE);
  const body = `${JSON.stringify({ pid: process.pid, command })}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw ioError(e, path, "create the output lock");
      const holder = readHolder(path);
      if (holder !== undefined && holder.pid === process.pid) {
        // This process already holds it (a command calling another): share it.
        return { path, release: () => {} };
      }
      if (holder !== undefined && alive(holder.pid)) {
        throw new BadInputError(dir, [
          {
            path: "",
            message: `is in use by another electorate process (pid ${holder.pid}: ${printable(holder.command, 160)}); wait for it to finish or choose another --out`,
          },
        ]);
      }
      notice(
        `notice: taking over a stale lock in ${dir} (${holder === undefined ? "unreadable" : `pid ${holder.pid} is gone: ${printable(holder.command, 160)}`})\n`,
      );
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, body);
    } catch (e) {
      closeSync(fd);
      rmSync(path, { force: true });
      throw ioError(e, path, "write the output lock");
    }
    closeSync(fd);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      process.removeListener("exit", release);
      // Only our own lock: never remove one a later process took over.
      if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
    };
    process.on("exit", release);
    return { path, release };
  }
  throw new BadInputError(dir, [{ path: "", message: "could not take the output lock (another process keeps re-creating it)" }]);
}
