import { Command } from 'ioredis';
import type { RedisClient } from '../connection/redis-client.js';

/** Below this many characters an ASCII argument is copied by a loop, above by Buffer.write (a call into C++). */
const SHORT = 48;

/** Writes `n` in decimal at `o`; returns the offset after it. */
function writeDecimal(buf: Buffer, o: number, n: number): number {
  if (n < 10) {
    buf[o] = 48 + n;
    return o + 1;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  for (let i = digits - 1, x = n; i >= 0; i--, x = Math.floor(x / 10)) buf[o + i] = 48 + (x % 10);
  return o + digits;
}

/**
 * An FCALL whose arguments are laid out once. ioredis's own command copies
 * its arguments with `Array.prototype.flat` (slow per element in V8) and
 * writes them by adding strings up one at a time, each step a new string to
 * collect, then the socket copies the whole string into bytes; a submit call
 * has a thousand arguments, and those were the producer's largest costs per
 * task after validation. This command keeps the array it is given and writes
 * the RESP bytes straight into one buffer. Everything else (the reply, its
 * encoding, errors, Cluster routing by the first key) is ioredis's.
 */
class FcallCommand extends Command {
  constructor(args: string[], errorStack: Error | undefined) {
    super('fcall', [], { replyEncoding: 'utf8', errorStack });
    this.args = args;
  }

  override toWritable(): Buffer {
    const args = this.args as string[];
    // At most 3 bytes per UTF-16 unit, and `$<length>\r\n…\r\n` around each argument.
    let bound = 32;
    for (const arg of args) bound += 3 * arg.length + 16;
    const buf = Buffer.allocUnsafe(bound);
    let o = buf.write(`*${args.length + 1}\r\n$5\r\nfcall\r\n`, 0, 'latin1');
    for (const arg of args) {
      const n = Buffer.byteLength(arg);
      buf[o] = 36; // $
      o = writeDecimal(buf, o + 1, n);
      buf[o] = 13;
      buf[o + 1] = 10;
      o += 2;
      if (n !== arg.length) o += buf.write(arg, o, 'utf8');
      else if (n > SHORT) o += buf.write(arg, o, 'latin1');
      else {
        for (let i = 0; i < n; i++) buf[o + i] = arg.charCodeAt(i);
        o += n;
      }
      buf[o] = 13;
      buf[o + 1] = 10;
      o += 2;
    }
    return buf.subarray(0, o);
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
