import { randomUUID } from 'node:crypto';
import { duplicateConnection } from '../connection/index.js';
import type { EngineContext } from '../context.js';
import { DtpsError, ValidationError } from '../errors.js';
import { execTransaction } from '../redis-errors.js';
import type { ControlCommand, ControlReply, WorkerInfo } from './types.js';

/** How long a worker's last heartbeat is kept after it stops beating (for post-mortems). */
const INFO_TTL_MS = 3_600_000;

/**
 * Records a heartbeat: the worker's info, and its time in the registry
 * (one MULTI, both keys under the fleet tag).
 */
export async function writeHeartbeat(ctx: EngineContext, info: WorkerInfo): Promise<void> {
  await execTransaction(
    ctx.redis
      .multi()
      .set(ctx.fleet.worker(info.id), JSON.stringify(info), 'PX', INFO_TTL_MS)
      .zadd(ctx.fleet.workers, info.lastHeartbeatAt, info.id)
      .exec(),
  );
}

/** Takes a worker out of the registry (clean shutdown, or after its recovery). */
export async function removeWorker(ctx: EngineContext, workerId: string): Promise<void> {
  await execTransaction(
    ctx.redis.multi().zrem(ctx.fleet.workers, workerId).del(ctx.fleet.worker(workerId)).exec(),
  );
}

/**
 * Workers in the registry with their last heartbeat, newest first. With
 * `aliveWithinMs`, only those heard from within that time.
 */
export async function listWorkers(
  ctx: EngineContext,
  opts: { aliveWithinMs?: number } = {},
): Promise<WorkerInfo[]> {
  const min = opts.aliveWithinMs === undefined ? '-inf' : ctx.clock.now() - opts.aliveWithinMs;
  const ids = await ctx.redis.zrevrangebyscore(ctx.fleet.workers, '+inf', min);
  const raw = await Promise.all(ids.map((id) => ctx.redis.get(ctx.fleet.worker(id))));
  const out: WorkerInfo[] = [];
  raw.forEach((json, i) => {
    if (json) out.push(JSON.parse(json) as WorkerInfo);
    else out.push(placeholder(ids[i]!));
  });
  return out;
}

/** A registered worker whose info expired: what is still known of it. */
function placeholder(id: string): WorkerInfo {
  return {
    id,
    host: '',
    pid: 0,
    version: '',
    queues: [],
    handlers: [],
    poolSize: 0,
    min: 0,
    max: 0,
    busy: 0,
    window: 0,
    processed: 0,
    failed: 0,
    steals: 0,
    steal: false,
    paused: false,
    draining: false,
    isolation: 'inline',
    memoryRss: 0,
    eventLoopLagMs: 0,
    startedAt: 0,
    lastHeartbeatAt: 0,
  };
}

const COMMANDS = ['scale', 'pause', 'resume', 'drain', 'steal', 'abort'];

function checkCommand(cmd: ControlCommand): void {
  if (cmd === null || typeof cmd !== 'object' || !COMMANDS.includes(cmd.command)) {
    throw new ValidationError('command', `must be one of ${COMMANDS.join(', ')}`);
  }
  if (
    cmd.replyTo !== undefined &&
    (typeof cmd.replyTo !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(cmd.replyTo))
  ) {
    throw new ValidationError('replyTo', 'must be 1-64 letters, digits and -');
  }
  if (cmd.command === 'steal' && typeof cmd.on !== 'boolean') {
    throw new ValidationError('on', 'must be true or false');
  }
  if (cmd.command === 'abort' && (typeof cmd.queue !== 'string' || typeof cmd.id !== 'string')) {
    throw new ValidationError('id', 'abort needs a queue and a task id');
  }
  if (cmd.command === 'scale') {
    for (const field of ['size', 'min', 'max'] as const) {
      const v = cmd[field];
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 10_000)) {
        throw new ValidationError(field, `must be an integer from 0 to 10000, got ${JSON.stringify(v)}`);
      }
    }
    if (cmd.size === undefined && cmd.min === undefined && cmd.max === undefined) {
      throw new ValidationError('size', 'give at least one of size, min, max');
    }
    if (cmd.min !== undefined && cmd.max !== undefined && cmd.min > cmd.max) {
      throw new ValidationError('min', `must not exceed max (${cmd.max})`);
    }
  }
}

/** Publishes a command on a worker's control channel; resolves with the receivers seen (per node in a Cluster). */
export async function publishControl(
  ctx: EngineContext,
  workerId: string,
  cmd: ControlCommand,
): Promise<number> {
  return ctx.redis.publish(ctx.fleet.control(workerId), JSON.stringify(cmd));
}

/** Publishes a worker's answer to a command that carried `replyTo`. */
export async function publishControlReply(
  ctx: EngineContext,
  requestId: string,
  reply: ControlReply,
): Promise<void> {
  await ctx.redis.publish(ctx.fleet.controlReply(requestId), JSON.stringify(reply));
}

/**
 * Sends a control command to a worker in the registry. Throws `not_found`
 * when the registry does not know the worker; a live worker applies the
 * command at once and beats its heartbeat so that the change shows.
 *
 * With `awaitReplyMs`, it asks the worker to answer and resolves with the
 * answer (what the command changed), or with `null` when none came within
 * that time (a worker too old to answer, or one that is stuck).
 */
export async function sendControl(
  ctx: EngineContext,
  workerId: string,
  cmd: ControlCommand,
  opts: { awaitReplyMs?: number } = {},
): Promise<ControlReply | null | undefined> {
  checkCommand(cmd);
  if ((await ctx.redis.zscore(ctx.fleet.workers, workerId)) === null) {
    throw new DtpsError(
      'not_found',
      `worker ${workerId} is not registered; \`dtps workers\` lists the live ones`,
      {
        field: 'worker',
      },
    );
  }
  if (opts.awaitReplyMs === undefined) {
    await publishControl(ctx, workerId, cmd);
    return undefined;
  }
  const requestId = randomUUID();
  const channel = ctx.fleet.controlReply(requestId);
  const sub = duplicateConnection(ctx.redis);
  sub.on('error', () => {});
  try {
    // Subscribed before the command goes out, so the answer cannot be missed.
    await sub.subscribe(channel);
    const answered = new Promise<ControlReply | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), opts.awaitReplyMs);
      sub.on('message', (ch: string, message: string) => {
        if (ch !== channel) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(message) as ControlReply);
        } catch {
          resolve(null);
        }
      });
    });
    await publishControl(ctx, workerId, { ...cmd, replyTo: requestId });
    return await answered;
  } finally {
    sub.disconnect();
  }
}
