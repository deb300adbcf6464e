/**
 * A one-shot Redis command over a raw socket (RESP2), for probing test
 * servers while they start: no client library, no reconnect loop, no noise.
 */
import { connect } from 'node:net';

/** A decoded RESP2 reply. Error replies are thrown as {@link RespError}. */
export type RespValue = string | number | null | RespValue[];

/** An error reply from Redis (`-ERR ...`, `-LOADING ...`). */
export class RespError extends Error {
  override readonly name = 'RespError';
}

/** Parses one RESP value from `buf` at `pos`; undefined when incomplete. */
function parse(buf: Buffer, pos: number): { value: RespValue | RespError; next: number } | undefined {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.toString('utf8', pos + 1, eol);
  const after = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next: after };
    case '-':
      return { value: new RespError(line), next: after };
    case ':':
      return { value: Number(line), next: after };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return undefined;
      return { value: buf.toString('utf8', after, after + len), next: after + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, next);
        if (item === undefined) return undefined;
        if (item.value instanceof RespError) return item;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/** Encodes a command as a RESP array of bulk strings. */
function encode(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

/**
 * Connects to `host:port`, sends one command, returns its reply and closes.
 * Rejects on connection errors, on an error reply ({@link RespError}) and
 * after `timeoutMs`.
 */
export function redisCommand(
  host: string,
  port: number,
  args: readonly string[],
  timeoutMs = 2000,
): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let settled = false;
    const socket = connect({ host, port });
    const finish = (err: Error | undefined, value?: RespValue): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (err) reject(err);
      else resolve(value ?? null);
    };
    socket.setTimeout(timeoutMs, () =>
      finish(new Error(`redis ${host}:${port} did not answer ${args[0]} within ${timeoutMs} ms`)),
    );
    socket.once('error', (err) => finish(err));
    socket.once('close', () => finish(new Error(`redis ${host}:${port} closed the connection`)));
    socket.once('connect', () => socket.write(encode(args)));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      let parsed: ReturnType<typeof parse>;
      try {
        parsed = parse(buf, 0);
      } catch (err) {
        finish(err as Error);
        return;
      }
      if (parsed === undefined) return;
      if (parsed.value instanceof RespError) finish(parsed.value);
      else finish(undefined, parsed.value);
    });
  });
}

/** Reads `field` from an INFO-style `key:value` text; undefined when absent. */
export function infoField(info: RespValue, field: string): string | undefined {
  if (typeof info !== 'string') return undefined;
  for (const line of info.split('\r\n')) {
    if (line.startsWith(`${field}:`)) return line.slice(field.length + 1);
  }
  return undefined;
}
