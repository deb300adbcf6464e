/**
 * `pnpm bench --peers`: dtps beside BullMQ and bee-queue, in one run, on one
 * throwaway redis-server. Every case runs `--reps` times (default 3), the
 * systems interleaved within each repetition (dtps, bullmq, bullmq-fast, bee,
 * bee-fast, dtps, …) so that a change in the machine's load falls on all of
 * them; FLUSHALL before every run. Prints medians with min–max, and the
 * ratios the aims are stated in; writes peers.json.
 *
 *   pnpm bench --peers [--scale 0.2] [--reps 3] [--cases process-c400,latency-500]
 *                      [--variants dtps,bee-fast] [--rate 500] [--seconds 10] [--cpu-prof DIR]
 */
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadAverage, parseInfo, writeResults } from '@dtps/core/bench';
import { RedisServer } from '@dtps/core/testing';
import { Redis } from 'ioredis';
import { RESULTS_DIR } from '../results-dir.js';
import { latencyCase, type PeerCase, processCase, type Sample, submitCase } from './peer-cases.js';
import { formatReport } from './peer-report.js';
import { FAST_SETTINGS, VARIANTS, type Variant } from './settings.js';

/** Task counts at `--scale 1` (the sizes). */
const BASE = { submit: 100_000, c50: 20_000, c400: 100_000, split: 20_000 };

export function peerCases(scale: number, rate: number, seconds: number): PeerCase[] {
  const n = (x: number) => Math.max(1000, Math.round((x * scale) / 1000) * 1000);
  return [
    submitCase('single', n(BASE.submit)),
    submitCase('bulk', n(BASE.submit)),
    processCase(n(BASE.c50), 1, 50),
    processCase(n(BASE.c400), 1, 400),
    processCase(n(BASE.split), 2, 25),
    processCase(n(BASE.c400), 2, 200),
    latencyCase(rate, seconds, 2, 5, false),
    latencyCase(rate, seconds, 2, 5, true),
  ];
}

export async function runPeers(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      peers: { type: 'boolean' },
      scale: { type: 'string', default: '1' },
      reps: { type: 'string', default: '3' },
      cases: { type: 'string' },
      variants: { type: 'string' },
      rate: { type: 'string', default: '500' },
      seconds: { type: 'string', default: '10' },
      'cpu-prof': { type: 'string' },
    },
  });
  const scale = Number(a.scale);
  const reps = Number(a.reps);
  if (!(scale > 0) || !Number.isInteger(reps) || reps < 1) {
    console.error('--scale must be > 0 and --reps an integer ≥ 1');
    process.exit(2);
  }
  const all = peerCases(scale, Number(a.rate), Number(a.seconds));
  const cases = a.cases ? all.filter((c) => a.cases!.split(',').includes(c.name)) : all;
  const variants = a.variants ? (a.variants.split(',') as Variant[]) : [...VARIANTS];
  for (const v of variants)
    if (!VARIANTS.includes(v)) {
      console.error(`--variants: ${v} is not one of ${VARIANTS.join(', ')}`);
      process.exit(2);
    }
  if (cases.length === 0) {
    console.error(`--cases: none of ${all.map((c) => c.name).join(', ')}`);
    process.exit(2);
  }

  const server = await RedisServer.start();
  const redis = new Redis({ host: server.host, port: server.port });
  const execArgv = a['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${a['cpu-prof']}`] : [];
  const env = { addr: { host: server.host, port: server.port, url: server.url }, redis, execArgv };
  try {
    const setup = {
      date: new Date().toISOString(),
      node: process.version,
      redis: parseInfo(await redis.info('server')).get('redis_version'),
      cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      peers: { bullmq: versionOf('bullmq'), 'bee-queue': versionOf('bee-queue') },
      loadAverage1m: loadavg()[0],
      scale,
      reps,
      settings: Object.fromEntries(variants.map((v) => [v, FAST_SETTINGS[v]])),
    };
    console.log(
      `dtps bench --peers — Node ${setup.node}, Redis ${setup.redis}, ${setup.cpu}, load ${loadAverage()}`,
    );
    const results: { case: string; description: string; runs: Record<string, Sample[]> }[] = [];
    for (const c of cases) {
      const runs: Record<string, Sample[]> = Object.fromEntries(variants.map((v) => [v, []]));
      for (let r = 0; r < reps; r++)
        for (const v of variants) {
          process.stdout.write(`${c.name} #${r + 1} ${v} … `);
          const s = await c.run(env, v);
          runs[v]!.push(s);
          console.log(
            s.tasksPerSec !== undefined
              ? `${s.tasksPerSec.toLocaleString('en-US')}/s`
              : `ack p50 ${s.ackMs?.p50} p99 ${s.ackMs?.p99} ms`,
          );
        }
      results.push({ case: c.name, description: c.description, runs });
    }
    const loadAfter = loadAverage();
    const report = formatReport(results, variants);
    console.log(`\n${report.text}`);
    const path = await writeResults(
      'peers.json',
      { setup: { ...setup, loadAverage1mAfter: loadAfter }, ratios: report.ratios, results },
      RESULTS_DIR,
    );
    console.log(`written: ${path}`);
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

/** The installed version of a peer (its package.json). */
function versionOf(name: string): string {
  const require = createRequire(import.meta.url);
  return (require(`${name}/package.json`) as { version: string }).version;
}
