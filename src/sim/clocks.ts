/**
 * Per-host clocks. The kernel keeps true time (what the checker judges on); each host reads its
 * own clock, a piecewise-linear function of true time:
 *
 *   local(t) = anchorLocal + (t - anchorTrue) * rate        rate = 1 + drift (ppm / 1e6)
 *
 * set at boot from an offset and a base drift, stepped by `clockJump` faults and given a
 * temporary rate by `clockDrift` faults (back to the base rate at the fault's end, computed
 * lazily on the next read, so no event is scheduled for it).
 *
 * Timers are durations on the host's clock: a timer of d local ms fires after the true time in
 * which the host's clock advances d ms (d / rate while the rate is constant). A jump steps what
 * `now()` reads but does not move timers already set (they measure elapsed time, like timers on a
 * monotonic clock); the end of a drift window is accounted for exactly; a drift fault that starts
 * while a timer is pending leaves that timer's true due time as it was computed.
 *
 * With no offset and no drift, `now(h)` is exactly the kernel's time and `trueDelay(h, d)` is
 * exactly d (x * 1 + 0 and d / 1 are exact in IEEE arithmetic), so default runs are unchanged.
 * Cost on the hot path: a compare, a multiply and an add per read; a divide per timer.
 */
import type { HostId, Kernel } from "./kernel.ts";
import { valueOf, type NumberOrRange, type RandomStream } from "./random.ts";

/** One host's clock: offset from true time at boot (ms) and drift (ppm; negative: slow), fixed or drawn per seed. */
export interface HostClockSpec {
  readonly offsetMs?: NumberOrRange;
  readonly driftPpm?: NumberOrRange;
}

/** Every broker's clock (defaults: 0 ms, 0 ppm), with per-broker overrides by broker number. */
export interface ClockSpec extends HostClockSpec {
  readonly hosts?: Readonly<Record<number, HostClockSpec>>;
}

/** Highest drift magnitude accepted (ppm): beyond -1e6 a clock would stop or run backward. */
export const MAX_DRIFT_PPM = 999_999;

export class HostClocks {
  private readonly anchorTrue: Float64Array;
  private readonly anchorLocal: Float64Array;
  private readonly rate: Float64Array;
  /** True time at which the current rate ends (a drift fault's end); Infinity for the base rate. */
  private readonly until: Float64Array;
  private readonly baseRate: Float64Array;

  constructor(
    private readonly kernel: Kernel,
    hostCount: number,
  ) {
    this.anchorTrue = new Float64Array(hostCount);
    this.anchorLocal = new Float64Array(hostCount);
    this.rate = new Float64Array(hostCount).fill(1);
    this.until = new Float64Array(hostCount).fill(Infinity);
    this.baseRate = new Float64Array(hostCount).fill(1);
  }

  /** A host's clock reads `offsetMs` ahead of true time (now) and runs `driftPpm` fast (negative: slow). */
  set(host: HostId, offsetMs: number, driftPpm: number): void {
    checkDrift(driftPpm);
    const t = this.kernel.now;
    this.anchorTrue[host] = t;
    this.anchorLocal[host] = t + offsetMs;
    this.rate[host] = this.baseRate[host] = 1 + driftPpm * 1e-6;
    this.until[host] = Infinity;
  }

  /** What the host's clock reads now. */
  now(host: HostId): number {
    const t = this.kernel.now;
    if (t > this.until[host]) this.settle(host);
    return this.anchorLocal[host] + (t - this.anchorTrue[host]) * this.rate[host];
  }

  /** True ms until the host's clock has advanced `localMs` from now. */
  trueDelay(host: HostId, localMs: number): number {
    const t = this.kernel.now;
    if (t > this.until[host]) this.settle(host);
    const r = this.rate[host];
    const span = this.until[host] - t; // Infinity without a drift window
    if (localMs <= span * r) return localMs / r;
    return span + (localMs - span * r) / this.baseRate[host];
  }

  /** Steps the host's clock by `byMs` (negative: backward). Timers already set keep their true due time. */
  jump(host: HostId, byMs: number): void {
    const local = this.now(host);
    this.anchorTrue[host] = this.kernel.now;
    this.anchorLocal[host] = local + byMs;
  }

  /** The host's clock runs at `ppm` drift for `forMs` true ms, then at its base rate again. A later drift replaces an earlier one. */
  drift(host: HostId, ppm: number, forMs: number): void {
    checkDrift(ppm);
    const local = this.now(host);
    const t = this.kernel.now;
    this.anchorTrue[host] = t;
    this.anchorLocal[host] = local;
    this.rate[host] = 1 + ppm * 1e-6;
    this.until[host] = t + forMs;
  }

  /** The host's current drift in ppm (for tests and timelines). */
  driftPpm(host: HostId): number {
    if (this.kernel.now > this.until[host]) this.settle(host);
    return (this.rate[host] - 1) * 1e6;
  }

  /** The drift window is over: continue from its end at the base rate. */
  private settle(host: HostId): void {
    const end = this.until[host];
    this.anchorLocal[host] += (end - this.anchorTrue[host]) * this.rate[host];
    this.anchorTrue[host] = end;
    this.rate[host] = this.baseRate[host];
    this.until[host] = Infinity;
  }
}

/**
 * Sets brokers 0..brokers-1 from a spec, drawing ranges from `stream` in broker order (offset,
 * then drift; a fixed value draws nothing, so a spec without ranges leaves the stream untouched).
 */
export function applyClockSpec(clocks: HostClocks, spec: ClockSpec, brokers: number, stream: RandomStream): void {
  for (let h = 0; h < brokers; h++) {
    const own = spec.hosts?.[h];
    const offset = valueOf(own?.offsetMs ?? spec.offsetMs ?? 0, stream);
    const drift = valueOf(own?.driftPpm ?? spec.driftPpm ?? 0, stream);
    if (offset !== 0 || drift !== 0) clocks.set(h, offset, drift);
  }
}

function checkDrift(ppm: number): void {
  if (!(ppm >= -MAX_DRIFT_PPM && ppm <= MAX_DRIFT_PPM)) throw new Error(`clocks: drift ${ppm} ppm outside ±${MAX_DRIFT_PPM}`);
}
