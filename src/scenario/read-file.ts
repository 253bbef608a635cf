/**
 * Reading input files safely: only regular files, up to a size limit, opened without blocking
 * (a named pipe cannot hang a run), with I/O errors turned into clear refusals. Scenarios and
 * results are both read through here (src/runner/files.ts re-exports it for results).
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { BadInputError } from "./issues.ts";

/** A scenario or counterexample file: far more than any hand-written or generated one needs. */
export const SCENARIO_MAX_BYTES = 1 << 20;
/** A results.json read whole (results.jsonl is read line by line and has no total limit). */
export const RESULTS_MAX_BYTES = 256 << 20;
/** One line of results.jsonl: one run's result with its timeline. */
export const RESULT_LINE_MAX_BYTES = 64 << 20;

export const MiB = (n: number): string => `${(n / (1 << 20)).toFixed(n < 1 << 20 ? 2 : 0)} MiB`;

export function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a named pipe";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  if (st.isSymbolicLink()) return "a symbolic link";
  return "not a regular file";
}

export const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EIO: "input/output error",
  ELOOP: "is a symbolic link (results are never written through a link)",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is not a directory",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  EFBIG: "file too large",
  ENAMETOOLONG: "file name too long",
  EEXIST: "already exists",
  EBUSY: "device or resource busy",
  ENXIO: "no such device",
};

/** An I/O error as a clear refusal: the file, what was being done and the system's reason. */
export function ioError(e: unknown, path: string, doing: string): BadInputError {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  const why = code !== undefined ? `${ERRNO_TEXT[code] ?? err.message} (${code})` : String((e as Error)?.message ?? e);
  return new BadInputError(path, [{ path: "", message: `cannot ${doing}: ${why}` }], err?.stack);
}

/** Whether `e` is a Node I/O error (errno code), as opposed to a bug. */
export function isIoError(e: unknown): boolean {
  return typeof e === "object" && e !== null && typeof (e as NodeJS.ErrnoException).code === "string" && typeof (e as NodeJS.ErrnoException).syscall === "string";
}

/**
 * Reads a regular file of at most `maxBytes` as UTF-8 text. Opens without blocking (a FIFO with
 * no writer would block forever) and without reading anything that is not a regular file.
 */
/**
 * Opens `path` for reading without blocking and checks it is a regular file; the caller closes
 * the descriptor (also when this throws after opening: it closes it itself then).
 */
export function openRegularFile(path: string, what = "file"): { fd: number; st: Stats } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadInputError(path, [{ path: "", message: code === "ENOENT" ? "no such file" : `cannot be read: ${ERRNO_TEXT[code ?? ""] ?? code} (${code})` }]);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new BadInputError(path, [{ path: "", message: `expected a regular ${what}, got ${kindOf(st)}` }]);
  }
  return { fd, st };
}

export function readRegularFile(path: string, maxBytes: number, what = "file"): string {
  const { fd, st } = openRegularFile(path, what);
  try {
    if (st.size > maxBytes) throw new BadInputError(path, [{ path: "", message: `is ${MiB(st.size)}; expected a ${what} of at most ${MiB(maxBytes)}` }]);
    // Read to the end, but never past the limit (a file that grows while read, /proc files of size 0).
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw ioError(e, path, "read it");
      }
      if (n === 0) break;
      total += n;
      chunks.push(buf.subarray(0, n));
      if (total > maxBytes) throw new BadInputError(path, [{ path: "", message: `grew past ${MiB(maxBytes)} while being read; expected a ${what} of at most ${MiB(maxBytes)}` }]);
    }
    const text = Buffer.concat(chunks, total).toString("utf8");
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    closeSync(fd);
  }
}

