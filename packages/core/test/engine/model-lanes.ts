/**
 * The sequence part of ready scores in the model (lua/includes/lanes.lua and
 * the submit scripts), mirrored number for number so that the check can
 * compare scores, not only order. Until a task with a group is queued by a
 * submit, numbers come from the queue's FIFO counter (`{p:q}:seq`); from then
 * on each group has a lane and a task's number is one after the later of its
 * lane's last and the front of the ready set — the front as it was when the
 * script call first looked (the engine keeps it for the rest of the call:
 * `beginCall` marks a new call).
 */
import type { ModelTask } from './model-types.js';

/** The sequence of the first ready task that holds a real place (seq 0: handed back, in front). */
export function frontSeq(ready: readonly ModelTask[]): number {
  const first = ready[0];
  if (!first) return 0;
  if (first.seq > 0) return first.seq;
  return ready.find((t) => t.priority === first.priority && t.seq > 0)?.seq ?? 0;
}

export class SeqModel {
  /** The FIFO counter `{p:q}:seq`. */
  counter = 0;
  /** The lanes hash (lane → its last sequence), null until the queue has lanes. */
  lanes: Map<string, number> | null = null;
  #front: number | null = null;

  /** A new script call: the front is read again when next needed. */
  beginCall(): void {
    this.#front = null;
  }

  /**
   * The next number of `group`'s lane (nextSeq in lanes.lua). `group` starts the lanes when the
   * queue has none yet; without a group and without lanes it is the FIFO counter's next.
   * `ready`: the engine's ready set now, in order (read once a call).
   */
  next(group: string | null, ready: () => readonly ModelTask[]): number {
    if (!this.lanes) {
      if (group === null) return ++this.counter;
      this.lanes = new Map([['', this.counter]]);
    }
    if (this.#front === null) this.#front = frontSeq(ready());
    const lane = group ?? '';
    const seq = Math.max(this.#front, this.lanes.get(lane) ?? 0) + 1;
    this.lanes.set(lane, seq);
    return seq;
  }
}
