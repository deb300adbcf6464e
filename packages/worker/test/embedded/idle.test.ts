/**
 * Invariant 9 (idle is quiet) and the wake-up latency, on this file's own
 * redis-server: an idle worker blocks on Redis instead of polling.
 */
import { useRedisServer } from '@dtps/core/testing';
import test, { type ExecutionContext } from 'ava';
import { callDeltas, commandCalls, type Embedded, embed, gate, until } from './harness.js';

const redis = useRedisServer(test);
const WINDOW_MS = 6000;

/** Connections blocked in BLPOP (the worker's wait for work; a Client's wait blocks in XREAD instead). */
async function blockedInBlpop(e: Embedded): Promise<number> {
  const list = (await e.redis.client('LIST')) as string;
  return list.split('\n').filter((l) => / flags=b /.test(l) && / cmd=blpop /.test(l)).length;
}

/**
 * Watches every command Redis runs during WINDOW_MS: MONITOR tells the
 * commands clients send from those that scripts run (INFO commandstats counts
 * both), and the commandstats deltas cross-check the MONITOR count.
 */
async function measureIdle(t: ExecutionContext, e: Embedded) {
  const mon = await redis.server.client().monitor();
  const sent: string[] = [];
  let inScripts = 0;
  // Counted between this test's two INFO commandstats (seen in the MONITOR stream too), so both views cover the same commands.
  let phase = 0;
  mon.on('monitor', (_time: string, args: string[], source: string) => {
    const name = args[0]!.toLowerCase();
    if (name === 'info') {
      if (String(args[1]).toLowerCase() === 'commandstats') phase++;
      return;
    }
    if (phase !== 1) return;
    if (source === 'lua') inScripts++;
    else sent.push(`${name} ${args.slice(1, 2).join(' ')}`.trim());
  });
  const before = commandCalls(await e.redis.info('commandstats'));
  const from = performance.now();
  await new Promise((r) => setTimeout(r, WINDOW_MS)); // the measurement window
  const after = commandCalls(await e.redis.info('commandstats'));
  const seconds = (performance.now() - from) / 1000;
  await until('MONITOR to show the second INFO', () => phase >= 2);
  mon.disconnect();
  const deltas = callDeltas(before, after);
  delete deltas.info;
  delete deltas.monitor;
  const statsTotal = Object.values(deltas).reduce((a, b) => a + b, 0);
  // The heartbeat: MULTI, SET <worker info>, ZADD <registry>, EXEC.
  const fleet = e.worker.ctx.fleet;
  const heartbeatCommands = new Set([
    'multi',
    'exec',
    `set ${fleet.worker(e.worker.id)}`,
    `zadd ${fleet.workers}`,
  ]);
  const isHeartbeat = (c: string) => heartbeatCommands.has(c);
  const beats = sent.filter((c) => c === 'exec').length;
  const beyond = sent.filter((c) => !isHeartbeat(c));
  const byCommand: Record<string, number> = {};
  for (const c of sent) {
    const name = c.split(' ')[0]!;
    byCommand[name] = (byCommand[name] ?? 0) + 1;
  }
  t.log(
    `over ${seconds.toFixed(1)} s, commands sent: ${JSON.stringify(byCommand)}; run inside scripts: ${inScripts}`,
  );
  t.log(`INFO commandstats delta (sent + in scripts): ${JSON.stringify(deltas)} = ${statsTotal}`);
  t.log(
    `heartbeats: ${beats} × (MULTI, SET, ZADD, EXEC); beyond them: ${beyond.length} (${(beyond.length / seconds).toFixed(2)}/s): ${beyond.join(' | ') || 'nothing'}`,
  );
  return {
    byCommand,
    beats,
    beyond,
    perSecond: beyond.length / seconds,
    seconds,
    statsTotal,
    sent,
    inScripts,
  };
}

test.serial('an idle worker sends at most 2 commands/s beyond its heartbeat', async (t) => {
  const e = await embed(t, redis.server, { handlers: { noop: () => null } });
  await until('the worker to block', async () => (await blockedInBlpop(e)) === 1);
  const m = await measureIdle(t, e);
  t.true(
    m.beats >= Math.floor(m.seconds) - 1 && m.beats <= Math.ceil(m.seconds) + 1,
    `about one heartbeat a second (${m.beats})`,
  );
  for (const cmd of ['multi', 'set', 'zadd', 'exec'])
    t.is(m.byCommand[cmd], m.beats, `${cmd}: once per heartbeat`);
  t.is(m.sent.length + m.inScripts, m.statsTotal, 'MONITOR and INFO commandstats agree');
  t.true(m.perSecond <= 2, `${m.perSecond.toFixed(2)} commands/s beyond the heartbeat`);
  t.deepEqual(
    [...new Set(m.beyond.map((c) => c.split(' ')[0]!))].filter(
      (c) => !['blpop', 'fcall', 'evalsha'].includes(c),
    ),
    [],
    'beyond the heartbeat: only the blocking read and the claim after it times out',
  );
  t.is(await blockedInBlpop(e), 1, 'still blocked on Redis');
});

test.serial(
  'with stealing on, an idle worker is as quiet: peers wake it through the steal list',
  async (t) => {
    const e = await embed(t, redis.server, { handlers: { noop: () => null }, steal: true });
    await until('the worker to block', async () => (await blockedInBlpop(e)) === 1);
    const m = await measureIdle(t, e);
    // It blocks on the wake and steal lists for the whole idle block (5 s), not 1 s at a time.
    t.true(m.perSecond <= 2, `${m.perSecond.toFixed(2)} commands/s beyond the heartbeat`);
    t.true(m.beyond.filter((c) => c.startsWith('blpop')).length <= Math.ceil(m.seconds / 5) + 1);
  },
);

test.serial('a submit wakes an idle worker within a few ms', async (t) => {
  let started = gate<number>();
  const e = await embed(t, redis.server, {
    handlers: {
      probe: () => {
        started.open(performance.now());
        return null;
      },
    },
  });
  const events = e.client.ctx.keys('default').events;
  const latencies: number[] = [];
  const streamLatencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    await until('the worker to block', async () => (await blockedInBlpop(e)) === 1, 10_000, 2);
    started = gate<number>();
    const t0 = performance.now();
    const { id } = await e.client.submit({ type: 'probe' });
    latencies.push((await started.promise) - t0);
    await until('the task to succeed', async () => (await e.client.get(id)).state === 'succeeded', 5000, 2);
    // The same from the event stream (ms resolution): queued → running.
    const entries = (await e.redis.xrange(events, '-', '+')) as [string, string[]][];
    const at = (state: string) =>
      Number(entries.find(([, f]) => f[1] === state && f[3]!.split(' ').includes(id))?.[0].split('-')[0]);
    streamLatencies.push(at('running') - at('queued'));
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)]!;
  t.log(
    `submit → handler start over 20 wake-ups: min ${sorted[0]!.toFixed(2)}, p50 ${p50.toFixed(2)}, max ${sorted.at(-1)!.toFixed(2)} ms`,
  );
  t.log(`queued → running in the event stream: ${streamLatencies.join(', ')} ms`);
  t.true(p50 < 50, `p50 ${p50} ms`);
  t.true(sorted.at(-1)! < 500, `max ${sorted.at(-1)} ms`);
});
