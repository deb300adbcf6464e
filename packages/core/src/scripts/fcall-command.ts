import { Command } from 'ioredis';
import type { RedisClient } from '../connection/redis-client.js';

/**
 * An FCALL whose arguments are laid out once. ioredis's own command copies
 * its arguments with `Array.prototype.flat` (slow per element in V8) and
 * writes them by adding strings up one at a time, each step a new string to
 * collect; a submit call has a thousand arguments, and those two were the
 * producer's largest costs per task after validation. This command keeps the
 * array it is given and writes it in one `join`. Everything else (the reply,
 * its encoding, errors, Cluster routing by the first key) is ioredis's.
 */
class FcallCommand extends Command {
  constructor(args: string[], errorStack: Error | undefined) {
    super('fcall', [], { replyEncoding: 'utf8', errorStack });
    this.args = args;
  }

  override toWritable(): string {
    const args = this.args as string[];
    const parts = new Array<string | number>(1 + 4 * args.length);
    parts[0] = `*${args.length + 1}\r\n$5\r\nfcall\r\n$`;
    let o = 1;
    for (const arg of args) {
      parts[o] = Buffer.byteLength(arg);
      parts[o + 1] = '\r\n';
      parts[o + 2] = arg;
      parts[o + 3] = '\r\n$';
      o += 4;
    }
    // The last `$` announced no further argument.
    parts[o - 1] = '\r\n';
    return parts.join('');
  }
}

/**
 * Whether a connection can take an FcallCommand as it is: no key prefix to
 * add and no auto-pipelining to go through (those stay with ioredis's path).
 */
function plainConnection(redis: RedisClient): boolean {
  const o = redis.options as {
    keyPrefix?: string;
    enableAutoPipelining?: boolean;
    redisOptions?: { keyPrefix?: string };
  };
  return !o.keyPrefix && !o.redisOptions?.keyPrefix && !o.enableAutoPipelining;
}

/** FCALL `fn` with its keys and arguments, every one a string. */
export function sendFcall(
  redis: RedisClient,
  fn: string,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  if (!plainConnection(redis)) {
    const fcall = redis.fcall as unknown as (...a: unknown[]) => Promise<unknown>;
    // Arrays, not spread: ioredis flattens a command's arguments anyway.
    return fcall.call(redis, fn, keys.length, keys, args);
  }
  const all = new Array<string>(2 + keys.length + args.length);
  all[0] = fn;
  all[1] = String(keys.length);
  let o = 2;
  for (const k of keys) all[o++] = k;
  for (const a of args) all[o++] = typeof a === 'string' ? a : String(a);
  const friendly = (redis.options as { showFriendlyErrorStack?: boolean }).showFriendlyErrorStack;
  return redis.sendCommand(new FcallCommand(all, friendly ? new Error() : undefined)) as Promise<unknown>;
}
