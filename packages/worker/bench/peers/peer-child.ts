/**
 * One worker process of `pnpm bench --peers`: dtps's Worker, a BullMQ Worker
 * or a bee-queue worker, with a no-op handler, driven over IPC (peer-protocol.ts).
 * It connects and gets ready without taking tasks; on `go` it starts taking
 * them and reports, every 5 ms, how many outcomes Redis has acknowledged.
 * Completion is counted where each system reports it after Redis answered:
 * dtps's `worker.stats.processed`, BullMQ's `completed`, bee-queue's `succeeded`.
 * Each system's code is imported only by its own children (RSS, start-up).
 */
import type BeeQueue from 'bee-queue';
import type { Redis } from 'ioredis';
import {
  CHILD_ENV,
  type ChildReply,
  type ChildRequest,
  type PeerChildConfig,
  type ProgressSample,
  SAMPLE_MS,
  SAMPLES_PER_REPORT,
} from './peer-protocol.js';
import { beeSettings, nowMs, type Payload, QUEUE } from './settings.js';

const config = JSON.parse(process.env[CHILD_ENV] ?? '') as PeerChildConfig;

/** Ack latencies (ms, submit → outcome acknowledged here), warm-up tasks left out. */
const acks: number[] = [];
let processed = 0;

function acked(p: Payload | undefined, at: number): void {
  processed++;
  if (config.trackLatency && p?.t0 !== undefined && !p.w) acks.push(at - p.t0);
}

interface Runner {
  go(): void;
  /** Outcomes acknowledged so far, where the system counts them itself. */
  count?(): number;
  close(): Promise<void>;
}

async function dtpsRunner(): Promise<Runner> {
  const { connectRedis } = await import('@dtps/core');
  const { Worker } = await import('../../src/index.js');
  const redis = (await connectRedis(config.redisUrl)) as Redis;
  // Submit times of tasks handled but not yet acknowledged, oldest first.
  const pending: Payload[] = [];
  const worker = new Worker({
    redis,
    id: `peer-${process.pid}`,
    handlers: {
      noop: (payload) => {
        if (config.trackLatency) pending.push(payload as Payload);
        return null;
      },
    },
    pool: { size: config.concurrency, min: config.concurrency, max: config.concurrency },
    steal: false,
    autoscale: { enabled: false },
  });
  if (config.trackLatency) {
    // dtps has no per-task completion event: the moment the reply to a report reaches this
    // process is noted, and once its continuations ran, each outcome counted since is put down
    // to the oldest task handled (the worker reports outcomes in the order they came).
    const send = redis.sendCommand.bind(redis);
    let counted = 0;
    redis.sendCommand = ((cmd: { promise: Promise<unknown> }, ...rest: unknown[]) => {
      const r = (send as (...a: unknown[]) => unknown)(cmd, ...rest);
      cmd.promise.then(
        () => {
          const at = nowMs();
          setImmediate(() => {
            const now = worker.stats.processed;
            for (; counted < now; counted++) acked(pending.shift(), at);
          });
        },
        () => {},
      );
      return r;
    }) as typeof redis.sendCommand;
  }
  await worker.start();
  worker.apply({ command: 'pause' });
  return {
    go: () => worker.apply({ command: 'resume' }),
    count: () => worker.stats.processed,
    async close() {
      await worker.close({ graceMs: 5000 });
      redis.disconnect();
    },
  };
}

async function bullRunner(): Promise<Runner> {
  const { Worker: BullWorker } = await import('bullmq');
  const worker = new BullWorker<Payload>(QUEUE, async () => null, {
    connection: { host: config.host, port: config.port, maxRetriesPerRequest: null },
    concurrency: config.concurrency,
    autorun: false,
  });
  worker.on('completed', (job) => acked(job.data, nowMs()));
  await worker.waitUntilReady();
  return {
    go: () => void worker.run(),
    close: () => worker.close(),
  };
}

async function beeRunner(): Promise<Runner> {
  const { default: BeeQueue } = await import('bee-queue');
  const queue = new BeeQueue<Payload>(
    QUEUE,
    beeSettings(config.variant, { host: config.host, port: config.port }, true),
  );
  queue.on('succeeded', (job: BeeQueue.Job<Payload>) => acked(job.data, nowMs()));
  await queue.ready();
  return {
    go: () => void queue.process(config.concurrency, async () => null),
    close: () => queue.close(),
  };
}

const runner =
  config.variant === 'dtps'
    ? await dtpsRunner()
    : config.variant.startsWith('bullmq')
      ? await bullRunner()
      : await beeRunner();

let cpu0 = process.cpuUsage();
let reported = -1;
let processedAtMark = 0;
let ticker: NodeJS.Timeout | undefined;

function send(r: ChildReply): void {
  process.send!(r);
}

process.on('message', async (req: ChildRequest) => {
  try {
    if (req.op === 'go') {
      cpu0 = process.cpuUsage();
      let samples: ProgressSample[] = [];
      let ticks = 0;
      ticker = setInterval(() => {
        const n = runner.count?.() ?? processed;
        if (n !== reported) {
          reported = n;
          samples.push([nowMs(), n]);
        }
        if (++ticks < SAMPLES_PER_REPORT || samples.length === 0) return;
        ticks = 0;
        send({ op: 'progress', processed: n, samples });
        samples = [];
      }, SAMPLE_MS);
      runner.go();
    } else if (req.op === 'mark') {
      cpu0 = process.cpuUsage();
      processedAtMark = runner.count?.() ?? processed;
      send({ op: 'marked', processed: processedAtMark });
    } else if (req.op === 'stop') {
      const cpu = process.cpuUsage(cpu0);
      send({
        op: 'stopped',
        processed: runner.count?.() ?? processed,
        processedAtMark,
        cpuUs: cpu.user + cpu.system,
        rssBytes: process.memoryUsage().rss,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        acks: config.trackLatency ? acks : [],
      });
    } else if (req.op === 'close') {
      if (ticker) clearInterval(ticker);
      await runner.close();
      send({ op: 'closed' });
      process.disconnect();
    }
  } catch (err) {
    send({ op: 'error', message: (err as Error).stack ?? String(err) });
  }
});
send({ op: 'ready' });
