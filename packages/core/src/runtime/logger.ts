import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

type Pino = typeof import('pino').pino;
let loadedPino: Pino | undefined;
/**
 * pino, loaded on the first logger rather than with @dtps/core: the CLI
 * never logs, and each module loaded counts in a command's start-up time.
 * (A CommonJS package: `require` keeps createLogger synchronous.)
 */
function pino(): Pino {
  loadedPino ??= (createRequire(import.meta.url)('pino') as { pino: Pino }).pino;
  return loadedPino;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/** One JSON log line as a short human line: `12:03:04.123 INFO  worker w1 started  queues=default`. */
export function prettyLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = new Date(Number(rec.time)).toISOString().slice(11, 23);
  const level = (LEVELS[Number(rec.level)] ?? String(rec.level)).padEnd(5);
  const extras = Object.entries(rec)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level} ${rec.name ? `[${rec.name}] ` : ''}${rec.msg ?? ''}${extras ? `  ${extras}` : ''}\n`;
}

/** A pino logger writing JSON lines, or short human lines (`pretty`), to `dest` (stderr by default). */
export function createLogger(
  opts: { format?: 'pretty' | 'json'; level?: string; name?: string; dest?: NodeJS.WritableStream } = {},
): Logger {
  const dest = opts.dest ?? process.stderr;
  const stream =
    opts.format === 'json'
      ? dest
      : new Writable({
          write(chunk: Buffer, _enc, cb) {
            dest.write(prettyLine(chunk.toString().trimEnd()));
            cb();
          },
        });
  const create = pino();
  return create(
    {
      level: opts.level ?? 'info',
      base: opts.name ? { name: opts.name } : {},
      timestamp: create.stdTimeFunctions.epochTime,
    },
    stream,
  );
}

/** A logger that writes nothing (the embeddable Worker's default). */
export function silentLogger(): Logger {
  return pino()({ level: 'silent' });
}
