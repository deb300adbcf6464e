import type { Recommendation } from '@dtps/core';

/** The backlog should be gone within this time; the recommendation sizes the fleet for it. */
export const TARGET_DRAIN_S = 60;

/** What the fleet did in the last seconds, and what it holds now. */
export interface FleetReading {
  /** Per recent second (oldest first, all queues summed): tasks submitted and tasks that ended an attempt. */
  seconds: readonly { submitted: number; done: number }[];
  /** Tasks waiting: queued and reserved. */
  backlog: number;
  /** The live workers: pool size and busy slots. */
  workers: readonly { poolSize: number; busy: number }[];
}

/**
 * How many worker processes the backlog needs: demand (recent submit rate
 * plus the backlog spread over TARGET_DRAIN_S) over the capacity of one
 * worker. A worker's capacity is its completions per second *while work
 * was completing* — counted from the first second that had completions, not
 * over the whole window, or a burst two seconds old would look like slow
 * workers and the advice would overshoot — scaled up by how idle it is.
 * When nothing finished in the window (tasks longer than it) while every
 * slot is busy and work waits, there is no capacity to measure, but the
 * fleet is short: one worker more than are live.
 */
export function recommendFleet(r: FleetReading): Omit<Recommendation, 'at'> {
  const window = Math.max(1, r.seconds.length);
  let submitted = 0;
  let done = 0;
  let firstDone = -1;
  r.seconds.forEach((s, i) => {
    submitted += s.submitted;
    done += s.done;
    if (firstDone < 0 && s.done > 0) firstDone = i;
  });
  const working = firstDone < 0 ? window : window - firstDone;
  const live = r.workers.length;
  const throughput = done / working;
  const slots = r.workers.reduce((n, w) => n + w.poolSize, 0);
  const busy = r.workers.reduce((n, w) => n + w.busy, 0);
  const utilisation = slots === 0 ? 0 : busy / slots;
  const perWorker = live === 0 ? 0 : throughput / live / Math.max(utilisation, 0.1);
  const demand = submitted / window + r.backlog / TARGET_DRAIN_S;
  let need: number;
  let reason: string;
  if (demand === 0) {
    need = Math.min(live, 1);
    reason = 'no backlog and no arrivals';
  } else if (perWorker === 0 && live > 0 && utilisation >= 1 && r.backlog > 0) {
    // Long tasks: nothing finished in the window, so capacity cannot be measured,
    // but every slot is taken and work waits: the fleet is short by at least one.
    need = live + 1;
    reason = `every slot of ${live === 1 ? 'the worker' : `the ${live} workers`} is busy and ${r.backlog} tasks wait, none finished in the last ${window} s`;
  } else if (perWorker === 0) {
    need = Math.max(1, live);
    reason = live === 0 ? 'work is waiting and no worker is alive' : 'not enough data on worker capacity yet';
  } else {
    need = Math.max(1, Math.ceil(demand / perWorker));
    reason = `demand ${demand.toFixed(1)} tasks/s over ${perWorker.toFixed(1)} tasks/s per worker`;
  }
  return {
    workers: need,
    liveWorkers: live,
    backlog: r.backlog,
    throughput: Math.round(throughput * 10) / 10,
    perWorker: Math.round(perWorker * 10) / 10,
    reason,
  };
}
