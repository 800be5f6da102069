// When to push NotifyStatus (api.md §1.5). A real Pro 3EM sends the whole em:0 object
// about every 3 s while the readings change beyond its reporting thresholds (power 5 % or
// 10 W, voltage 5 % or 1 V, current 5 % or 0.05 A) and emdata:0 once a minute.
//
// Rules implemented here, with times passed in:
// - em:0 is due when any phase's act_power or aprt_power, voltage or current moved from
//   the last *notified* value by at least the absolute threshold or by at least the
//   relative one (either suffices, the literal "5 % or 10 W"), and at least
//   `minIntervalMs` passed since the last em:0 notification. The first fresh view after
//   start or after a stale period is always due (subject to the same interval).
// - emdata:0 is due when `emdataIntervalMs` passed since its last notification and a
//   counter changed since then (or it was never sent).
// - A stale meter (null view) sends nothing and forgets the last em:0 values, so that
//   recovery is notified at once.
// The documented PF threshold has no published value and is not used.

import type { GridView } from "../meter/grid-view";

export interface NotifyThresholds {
  powerW: number;
  powerRel: number;
  voltageV: number;
  voltageRel: number;
  currentA: number;
  currentRel: number;
}

export interface NotifyOptions {
  minIntervalMs: number;
  emdataIntervalMs: number;
  thresholds: NotifyThresholds;
}

export const DEFAULT_NOTIFY_OPTIONS: NotifyOptions = Object.freeze({
  minIntervalMs: 3000,
  emdataIntervalMs: 60000,
  thresholds: Object.freeze({ powerW: 10, powerRel: 0.05, voltageV: 1, voltageRel: 0.05, currentA: 0.05, currentRel: 0.05 }),
});

export interface NotifyDecision {
  em: boolean;
  emdata: boolean;
}

/** Per phase: act power, apparent power, voltage, current. */
const PER_PHASE = 4;

export class StatusNotifier {
  private readonly opts: NotifyOptions;
  private readonly lastEm = new Float64Array(3 * PER_PHASE);
  private readonly lastEnergy = new Float64Array(6);
  private haveEm = false;
  private haveEnergy = false;
  private lastEmAt = 0;
  private lastEmdataAt = 0;
  private emSent = false;
  private emdataSent = false;

  constructor(options?: Partial<NotifyOptions>) {
    this.opts = {
      minIntervalMs: options?.minIntervalMs ?? DEFAULT_NOTIFY_OPTIONS.minIntervalMs,
      emdataIntervalMs: options?.emdataIntervalMs ?? DEFAULT_NOTIFY_OPTIONS.emdataIntervalMs,
      thresholds: options?.thresholds ?? DEFAULT_NOTIFY_OPTIONS.thresholds,
    };
  }

  /** Decides what is due at `nowMs` for this view, and records it as sent. */
  decide(view: GridView | null, nowMs: number): NotifyDecision {
    if (view === null) {
      this.haveEm = false;
      return { em: false, emdata: false };
    }
    const em = this.emDue(view, nowMs);
    if (em) {
      this.rememberEm(view);
      this.lastEmAt = nowMs;
      this.emSent = true;
    }
    const emdata = this.emdataDue(view, nowMs);
    if (emdata) {
      for (let i = 0; i < 3; i++) {
        this.lastEnergy[i * 2] = view.phases[i].importWh;
        this.lastEnergy[i * 2 + 1] = view.phases[i].exportWh;
      }
      this.haveEnergy = true;
      this.lastEmdataAt = nowMs;
      this.emdataSent = true;
    }
    return { em, emdata };
  }

  private emDue(view: GridView, nowMs: number): boolean {
    if (this.emSent && nowMs - this.lastEmAt < this.opts.minIntervalMs) return false;
    if (!this.haveEm) return true;
    const t = this.opts.thresholds;
    const last = this.lastEm;
    for (let i = 0; i < 3; i++) {
      const p = view.phases[i];
      const o = i * PER_PHASE;
      if (
        moved(p.actPower, last[o], t.powerW, t.powerRel) ||
        moved(p.aprtPower, last[o + 1], t.powerW, t.powerRel) ||
        moved(p.voltage, last[o + 2], t.voltageV, t.voltageRel) ||
        moved(p.current, last[o + 3], t.currentA, t.currentRel)
      ) {
        return true;
      }
    }
    return false;
  }

  private rememberEm(view: GridView): void {
    for (let i = 0; i < 3; i++) {
      const p = view.phases[i];
      const o = i * PER_PHASE;
      this.lastEm[o] = p.actPower;
      this.lastEm[o + 1] = p.aprtPower;
      this.lastEm[o + 2] = p.voltage;
      this.lastEm[o + 3] = p.current;
    }
    this.haveEm = true;
  }

  private emdataDue(view: GridView, nowMs: number): boolean {
    if (this.emdataSent && nowMs - this.lastEmdataAt < this.opts.emdataIntervalMs) return false;
    if (!this.haveEnergy) return true;
    for (let i = 0; i < 3; i++) {
      if (view.phases[i].importWh !== this.lastEnergy[i * 2]) return true;
      if (view.phases[i].exportWh !== this.lastEnergy[i * 2 + 1]) return true;
    }
    return false;
  }
}

/** True when `now` differs from `last` by at least `abs`, or by at least `rel` of |last|. */
export function moved(now: number, last: number, abs: number, rel: number): boolean {
  if (now !== now || last !== last) return (now !== now) !== (last !== last); // to or from NaN
  const delta = now > last ? now - last : last - now;
  if (delta === 0) return false;
  return delta >= abs || delta >= rel * (last < 0 ? -last : last);
}
