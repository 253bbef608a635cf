/**
 * The hostile-input suite's harness: runs one case in this process through the commands' entry
 * functions (guard + cmdX, exactly what the CLI calls after parsing), captures what it prints,
 * and checks the contract every case is held to: the expected exit code (0, 2 or 130), no stack
 * trace, no raw control characters, nothing written when refusing, within 10 s and 1 GiB.
 */
import { lstatSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cmdCheck, cmdCompare, cmdList, cmdMerge, cmdReplay, cmdReport, cmdRun, guard, type Io } from "../commands.ts";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const TEST_ELECTOR = join(ROOT, "src", "testing", "test-elector.ts");

export interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  readonly ms: number;
}

export interface Ctx {
  /** A fresh folder for this case. */
  readonly dir: string;
  /** Writes a file into the case's folder; returns its path. */
  file(name: string, text: string | Buffer): string;
  /** Runs a command in this process, as the CLI would after parsing its arguments. */
  cli<K extends keyof typeof COMMANDS>(command: K, args: Parameters<(typeof COMMANDS)[K]>[0], verbose?: boolean): Promise<Ran>;
}

const COMMANDS = { run: cmdRun, compare: cmdCompare, merge: cmdMerge, report: cmdReport, replay: cmdReplay, check: cmdCheck, list: cmdList } as const;

export interface Case {
  readonly group: "sizes" | "flags" | "files" | "folders" | "locks" | "modules" | "decoding" | "report" | "signals" | "notices";
  readonly name: string;
  /** The command; returns what it did. */
  readonly run: (ctx: Ctx) => Promise<Ran>;
  /** Expected exit code. */
  readonly code: 0 | 2 | 130;
  /** What stderr must say (a refusal names the field or the file and what was expected). */
  readonly says?: RegExp | readonly RegExp[];
  /** Extra checks on the outcome. */
  readonly check?: (ran: Ran, ctx: Ctx) => void;
}

export function makeCtx(): Ctx {
  const dir = mkdtempSync(join(tmpdir(), "electorate-hostile-"));
  return {
    dir,
    file(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    async cli(command, args, verbose = false) {
      let out = "";
      let err = "";
      const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), errIsTty: false };
      const t0 = performance.now();
      const fn = COMMANDS[command] as (a: unknown, io: Io) => Promise<number>;
      const code = await guard(io, () => fn(args, io), verbose);
      return { code, out, err, ms: performance.now() - t0 };
    },
  };
}

/** Everything under `dir` with kind and size: equal snapshots mean nothing was written. */
export function snapshot(dir: string): string {
  const lines: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      lines.push(`${rel}${name} ${st.isDirectory() ? "d" : st.isSymbolicLink() ? "l" : "f"} ${st.isFile() ? st.size : ""}`);
      if (st.isDirectory()) walk(p, `${rel}${name}/`);
    }
  };
  walk(dir, "");
  return lines.join("\n");
}

/** A stack frame line as Node prints one. */
export const STACK = /\n\s+at .*(:\d+:\d+\)?|<anonymous>\)?)$/m;
/** Control characters that must never reach a terminal raw (tab and newline are fine). */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
