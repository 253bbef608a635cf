/**
 * V8's inlining budget, raised for property runs. TurboFan inlines callees into an optimized
 * function until their bytecode adds up to `--max-inlined-bytecode-size-cumulative` (920 bytes in
 * Node 20). The kernel's dispatch loop reaches the queue, the network, the world and the elector
 * through many small methods, and that budget is spent a few calls down: the calls left pay a
 * frame each and return doubles boxed (a heap number per clock read or timer handle). Four times
 * the budget made raft:paper's property runs ~10% cheaper in process CPU, compiling included
 * (docs/performance.md, stop 28).
 *
 * V8 flags are per process: set when properties.ts is first imported (by hunts, the property suite,
 * `check` and properties/throughput.ts alike), before the lab's code is optimized, it holds for
 * every thread started later (hunt workers). bench:scaling's processes do not import it: a cell
 * there is one run of about a second, and a larger budget is more compiling before it (two noisy
 * pairs of the kafka-controller 10k cell read more CPU with it; docs/performance.md, stop 28). Inlining changes no result: what JavaScript
 * computes does not depend on it. A budget given on the command line
 * (`node --max-inlined-bytecode-size-cumulative=N`) is kept, e.g. to measure against the default.
 */
import { setFlagsFromString } from "node:v8";

/** Bytecode bytes TurboFan may inline into one optimized function (V8's default: 920). */
export const INLINED_BYTECODE_CUMULATIVE = 3680;

const FLAG = "--max-inlined-bytecode-size-cumulative";

if (!process.execArgv.some((a) => a.startsWith(FLAG))) setFlagsFromString(`${FLAG}=${INLINED_BYTECODE_CUMULATIVE}`);
