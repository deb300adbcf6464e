/**
 * Flow control in the model (lua/includes/flow.lua, setQueueLimit-2.lua,
 * pauseQueue-2.lua): the queue's limits, its pause flag, and what the limits
 * count — per limit instance (`queue`, `type:<T>`, `group:<G>`, `each:<G>`),
 * the tasks running under its cap and the log of its starts.
 *
 * Caps count only what started under them: a cap set while tasks already run
 * does not count those (the engine adds a task to a cap's running set when a
 * claim starts it), and a cap that goes away (cleared, or its concurrency
 * removed) forgets what it counted, so that setting it again starts from
 * nothing. The start log mirrors the engine's entry for entry; the test uses
 * one window length (RATE_WINDOW_MS) so that the engine's trimming by the
 * current window never drops an entry the model still counts.
 */
import type { ModelTask } from './model-types.js';

export interface LimitValue {
  n: number;
  per: number;
  conc: number;
}

/** A start under a rate: when, and under which setting of its scope (`epoch`). */
interface LoggedStart {
  at: number;
  epoch: number;
}

export class FlowModel {
  /** scope → limit, as the `flow` hash holds it. */
  readonly limits = new Map<string, LimitValue>();
  paused = false;
  /** Cap instance → the running tasks it counts (id → the attempt that started under it). */
  readonly capRun = new Map<string, Map<string, number>>();
  /** Rate instance → its starts. */
  readonly logs = new Map<string, LoggedStart[]>();
  /** scope → how many times it was set (a start remembers the setting it was admitted under). */
  readonly epochs = new Map<string, number>();
  /**
   * Cap instance → the tasks it counted when its scope was last set: a cap lowered below what
   * runs is over it until enough of those end (no start happens meanwhile), see capExcess.
   */
  readonly countedAtChange = new Map<string, Set<string>>();

  limited(): boolean {
    return this.limits.size > 0;
  }

  static scopeOf(inst: string): string {
    return inst.startsWith('each:') ? 'each-group' : inst;
  }

  limitOf(inst: string): LimitValue | undefined {
    return this.limits.get(FlowModel.scopeOf(inst));
  }

  /** The instances a task counts under now, the queue's first (taskInstances in flow.lua). */
  instancesOf(t: ModelTask): string[] {
    const list: string[] = [];
    if (this.limits.has('queue')) list.push('queue');
    if (this.limits.has(`type:${t.type}`)) list.push(`type:${t.type}`);
    if (t.group !== null) {
      if (this.limits.has(`group:${t.group}`)) list.push(`group:${t.group}`);
      if (this.limits.has('each-group')) list.push(`each:${t.group}`);
    }
    return list;
  }

  /** Starts logged under `inst` in the window that ends now. */
  startsInWindow(inst: string, now: number): number {
    const lim = this.limitOf(inst);
    if (!lim || lim.n === 0) return 0;
    return (this.logs.get(inst) ?? []).filter((s) => s.at > now - lim.per && s.at <= now).length;
  }

  running(inst: string): Map<string, number> {
    let m = this.capRun.get(inst);
    if (!m) {
      m = new Map();
      this.capRun.set(inst, m);
    }
    return m;
  }

  /** The first limit with no room for one more start of `t`, and why; null when it may start. */
  blocker(t: ModelTask, now: number): string | null {
    for (const inst of this.instancesOf(t)) {
      const lim = this.limitOf(inst)!;
      if (lim.n > 0 && this.startsInWindow(inst, now) >= lim.n) return `rate:${inst}`;
      if (lim.conc > 0 && this.running(inst).size >= lim.conc) return `concurrency:${inst}`;
    }
    return null;
  }

  /** A start of `t` (its attempt just began): logged under each rate, counted under each cap. */
  charge(t: ModelTask, now: number): void {
    for (const inst of this.instancesOf(t)) {
      const lim = this.limitOf(inst)!;
      const scope = FlowModel.scopeOf(inst);
      if (lim.n > 0) {
        const log = this.logs.get(inst) ?? [];
        log.push({ at: now, epoch: this.epochs.get(scope) ?? 0 });
        this.logs.set(inst, log);
      }
      if (lim.conc > 0) this.running(inst).set(t.id, t.attempt);
    }
  }

  /** Tasks that left running (or run another attempt) are no longer counted (flowLeave). */
  forgetEnded(get: (id: string) => ModelTask): void {
    for (const m of this.capRun.values()) {
      for (const [id, attempt] of m) {
        const t = get(id);
        if (t.state !== 'running' || t.attempt !== attempt) m.delete(id);
      }
    }
  }

  /** The instances a scope has: one, or for each-group one per group that has any. */
  instancesOfScope(scope: string, held: ReadonlyMap<string, string>): string[] {
    if (scope !== 'each-group') return [scope];
    const all = [...this.capRun.keys(), ...this.logs.keys(), ...held.values()];
    return [...new Set(all.filter((i) => i.startsWith('each:')))];
  }

  /**
   * setQueueLimit: sets the parts given (null removes one) or clears the scope. Returns whether
   * the scope is gone. `held`: the held tasks (those under a cleared scope are let go).
   */
  set(
    scope: string,
    change: { rate?: { n: number; perMs: number } | null; conc?: number | null; clear: boolean },
    held: Map<string, string>,
  ): { gone: boolean; released: number } {
    const old = this.limits.get(scope) ?? { n: 0, per: 0, conc: 0 };
    let { n, per, conc } = old;
    if (change.rate !== undefined) {
      n = change.rate?.n ?? 0;
      per = change.rate?.perMs ?? 0;
    }
    if (change.conc !== undefined) conc = change.conc ?? 0;
    if (n === 0) per = 0;
    const insts = this.instancesOfScope(scope, held);
    if (change.clear || (n === 0 && conc === 0)) {
      this.limits.delete(scope);
      let released = 0;
      for (const [id, inst] of held) {
        if (insts.includes(inst)) {
          held.delete(id);
          released += 1;
        }
      }
      for (const inst of insts) {
        this.capRun.delete(inst);
        this.logs.delete(inst);
      }
      return { gone: true, released };
    }
    this.limits.set(scope, { n, per, conc });
    this.epochs.set(scope, (this.epochs.get(scope) ?? 0) + 1);
    if (conc === 0) for (const inst of insts) this.capRun.delete(inst);
    for (const inst of insts) this.countedAtChange.set(inst, new Set(this.capRun.get(inst)?.keys() ?? []));
    return { gone: false, released: 0 };
  }

  /**
   * Invariant: a cap holds at most its limit, or, after it was lowered below what ran, at most
   * what still runs of that: every start under it found room. Returns a message when over.
   */
  capExcess(inst: string): string | null {
    const lim = this.limitOf(inst);
    const counted = this.capRun.get(inst);
    if (!lim || lim.conc === 0 || !counted) return null;
    const before = this.countedAtChange.get(inst) ?? new Set<string>();
    const old = [...counted.keys()].filter((id) => before.has(id)).length;
    return counted.size <= Math.max(lim.conc, old)
      ? null
      : `${counted.size} running under ${inst}, cap ${lim.conc} (${old} from before it was set)`;
  }

  /** The flow hash as the engine writes it. */
  hash(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [scope, v] of this.limits) out[scope] = `${v.n} ${v.per} ${v.conc}`;
    return out;
  }

  /**
   * Invariant: for every rate instance, no window of its length that ends at a start admitted
   * under the scope's current setting holds more than n starts (earlier starts count in it).
   */
  rateViolation(): string | null {
    for (const [inst, log] of this.logs) {
      const lim = this.limitOf(inst);
      if (!lim || lim.n === 0) continue;
      const epoch = this.epochs.get(FlowModel.scopeOf(inst)) ?? 0;
      for (const s of log) {
        if (s.epoch !== epoch) continue;
        const inWindow = log.filter((x) => x.at > s.at - lim.per && x.at <= s.at).length;
        if (inWindow > lim.n)
          return `${inst}: ${inWindow} starts in the ${lim.per} ms up to ${s.at}, limit ${lim.n}`;
      }
    }
    return null;
  }
}
