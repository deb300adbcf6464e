/**
 * The `idle` group: what an idle worker process costs Redis. The worker is
 * started on an empty queue; once it blocks, MONITOR watches every command
 * for a window (default 10 s): the commands it sends, told apart from those
 * its scripts run, and its heartbeat (MULTI, SET info, ZADD registry, EXEC)
 * told apart from the rest. Stealing off (the default) and on.
 */
import {
  type BenchEnv,
  type BenchGroup,
  checkTargets,
  fmt,
  formatChecks,
  type GroupSettings,
  intArg,
  loadAverage,
  round,
  snapshot,
  type Target,
  table,
} from '@dtps/core/bench';
import { BenchWorker } from './bench-worker.js';
import { untilBlocked } from './blocked.js';
import { RESULTS_DIR } from './results-dir.js';

export interface IdleResult {
  name: string;
  steal: boolean;
  seconds: number;
  heartbeatsPerSec: number;
  /** Commands the worker sent beyond its heartbeat, per second (the measure). */
  beyondHeartbeatPerSec: number;
  /** Commands its scripts ran, per second. */
  inScriptsPerSec: number;
  /** Sent commands beyond the heartbeat, by name, in the window. */
  beyond: Record<string, number>;
  /** Redis CPU per second of the window, µs. */
  redisCpuUsPerSec: number;
  /** The worker process's CPU, as a share of one core. */
  workerCpuLoad: number;
  loadAverage1m: number;
}

async function measureIdle(env: BenchEnv, settings: GroupSettings, steal: boolean): Promise<IdleResult> {
  await env.stats.flushall('SYNC');
  const worker = await BenchWorker.spawn({
    redisUrl: settings.redisUrl,
    id: 'bench-idle',
    slots: 5,
    prefetch: null,
    steal,
    idleBlockMs: null,
  });
  try {
    await worker.start();
    await untilBlocked(env, 1);
    const seconds = intArg('idle-seconds', settings.args['idle-seconds']);
    const mon = await env.stats.monitor();
    const beyond: Record<string, number> = {};
    let heartbeats = 0;
    let inScripts = 0;
    let counting = true;
    mon.on('monitor', (_time: string, args: string[], source: string) => {
      const name = args[0]!.toLowerCase();
      if (!counting) return;
      if (name === 'info' || name === 'client') return; // the bench's own
      if (source === 'lua') inScripts++;
      else if (name === 'exec') heartbeats++;
      else if (name === 'multi' || ((name === 'set' || name === 'zadd') && args[1]!.startsWith('{dtps}:'))) {
        // the rest of the heartbeat
      } else beyond[name] = (beyond[name] ?? 0) + 1;
    });
    const before = await snapshot(env.stats);
    await worker.usage();
    const loadAverage1m = loadAverage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000)); // the measurement window
    const usage = await worker.usage();
    const after = await snapshot(env.stats);
    const wall = (performance.now() - t0) / 1000;
    counting = false;
    mon.disconnect();
    const sent = Object.values(beyond).reduce((a, b) => a + b, 0);
    return {
      name: steal ? 'steal on' : 'steal off',
      steal,
      seconds: round(wall, 2),
      heartbeatsPerSec: round(heartbeats / wall, 2),
      beyondHeartbeatPerSec: round(sent / wall, 2),
      inScriptsPerSec: round(inScripts / wall, 2),
      beyond,
      redisCpuUsPerSec: round((after.cpuUs - before.cpuUs) / wall, 1),
      workerCpuLoad: round(usage.cpuUs / (wall * 1e6), 4),
      loadAverage1m,
    };
  } finally {
    await worker.close();
  }
}

const TARGETS: Target<IdleResult>[] = [
  {
    caseName: 'steal off',
    label: '≤ 2 commands/s beyond the heartbeat',
    limit: 2,
    kind: 'atMost',
    value: (r) => r.beyondHeartbeatPerSec,
  },
];

export function idleGroup(): BenchGroup {
  return {
    name: 'idle',
    resultsDir: RESULTS_DIR,
    options: { 'idle-seconds': { type: 'string', default: '10' } },
    async run(env, settings) {
      const results: IdleResult[] = [];
      for (const steal of [false, true]) {
        process.stdout.write(`idle/${steal ? 'steal on' : 'steal off'} … `);
        const r = await measureIdle(env, settings, steal);
        console.log(`${r.beyondHeartbeatPerSec} commands/s beyond the heartbeat`);
        results.push(r);
      }
      const checks = checkTargets(results, TARGETS);
      const text = [
        table(
          [
            'worker',
            'seconds',
            'heartbeats/s',
            'sent beyond/s',
            'in scripts/s',
            'Redis µs/s',
            'worker CPU',
            'what (beyond)',
            'load',
          ],
          results.map((r) => [
            r.name,
            fmt(r.seconds, 1),
            fmt(r.heartbeatsPerSec, 2),
            fmt(r.beyondHeartbeatPerSec, 2),
            fmt(r.inScriptsPerSec, 2),
            fmt(r.redisCpuUsPerSec, 0),
            `${fmt(r.workerCpuLoad * 100, 2)}%`,
            Object.entries(r.beyond)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || '-',
            fmt(r.loadAverage1m, 2),
          ]),
        ),
        '',
        'An idle worker process (5 slots) on an empty queue, after it blocked; MONITOR over the window.',
        '',
        formatChecks(checks),
      ].join('\n');
      return { text, data: { results, targets: checks } };
    },
  };
}
