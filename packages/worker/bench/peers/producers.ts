/**
 * The producer side of each system compared by `pnpm bench --peers`: submits,
 * and the completions a producer sees (wait/events). The worker side lives in
 * peer-child.ts. Every system uses the same Redis and the same no-op task.
 */
import { Client, lastEventId, type RedisClient, readEvents } from '@dtps/core';
import BeeQueue from 'bee-queue';
import { Queue as BullQueue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { beeSettings, bullJobOptions, type Payload, QUEUE, type Variant } from './settings.js';

/** The producer side of one system. */
export interface Producer {
  submit(p: Payload): Promise<string>;
  submitMany(ps: Payload[]): Promise<void>;
  /** Starts watching completions as a producer sees them (wait/events); false: the variant has none. */
  watch(onDone: (id: string) => void): Promise<boolean>;
  close(): Promise<void>;
}

export interface RedisAddress {
  host: string;
  port: number;
  url: string;
}

export async function producer(v: Variant, addr: RedisAddress): Promise<Producer> {
  if (v === 'dtps') return dtpsProducer(addr);
  if (v === 'bullmq' || v === 'bullmq-fast') return bullProducer(v, addr);
  return beeProducer(v, addr);
}

function dtpsProducer(addr: RedisAddress): Producer {
  const redis = new Redis({ host: addr.host, port: addr.port });
  const client = new Client({ redis });
  let watchConn: Redis | undefined;
  let loop: Promise<void> | undefined;
  let stopped = false;
  return {
    async submit(p) {
      return (await client.submit({ type: 'noop', payload: p })).id;
    },
    async submitMany(ps) {
      await client.submitMany(ps.map((p) => ({ type: 'noop', payload: p })));
    },
    async watch(onDone) {
      // What wait() reads: the queue's event stream, on a connection of its own.
      watchConn = redis.duplicate();
      const conn = watchConn as unknown as RedisClient;
      const stream = client.ctx.keys('default').events;
      let cursor = await lastEventId(conn, stream);
      loop = (async () => {
        while (!stopped) {
          const events = await readEvents(conn, stream, cursor, { count: 1000, blockMs: 200 });
          for (const e of events) {
            cursor = e.streamId;
            if (e.state === 'succeeded') for (const id of e.ids) onDone(id);
          }
        }
      })();
      return true;
    },
    async close() {
      stopped = true;
      await loop;
      watchConn?.disconnect();
      await client.close();
      redis.disconnect();
    },
  };
}

function bullProducer(v: Variant, addr: RedisAddress): Producer {
  const connection = new Redis({ host: addr.host, port: addr.port, maxRetriesPerRequest: null });
  const queue = new BullQueue(QUEUE, { connection });
  const opts = bullJobOptions(v);
  let events: QueueEvents | undefined;
  return {
    async submit(p) {
      return (await queue.add('noop', p, opts)).id!;
    },
    async submitMany(ps) {
      await queue.addBulk(ps.map((p) => ({ name: 'noop', data: p, opts })));
    },
    async watch(onDone) {
      events = new QueueEvents(QUEUE, {
        connection: { host: addr.host, port: addr.port },
        blockingTimeout: 200,
      });
      events.on('completed', ({ jobId }) => onDone(jobId));
      await events.waitUntilReady();
      return true;
    },
    async close() {
      await events?.close();
      await queue.close();
      connection.disconnect();
    },
  };
}

function beeProducer(v: Variant, addr: RedisAddress): Producer {
  const queue = new BeeQueue<Payload>(QUEUE, beeSettings(v, addr, false));
  return {
    async submit(p) {
      return (await queue.createJob(p).save()).id;
    },
    async submitMany(ps) {
      const errors = await queue.saveAll(ps.map((p) => queue.createJob(p)));
      if (errors.size > 0) throw [...errors.values()][0];
    },
    async watch(onDone) {
      if (v === 'bee-fast') return false; // getEvents: false — a producer hears nothing.
      await queue.ready();
      queue.on('job succeeded', (id: string) => onDone(id));
      return true;
    },
    async close() {
      await queue.close();
    },
  };
}
