/**
 * What `dtps up` runs in front once the daemons are up: the demo trickle
 * (`--demo`), and either the console in the foreground or a status line
 * every few seconds.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { type Client, redactRedisUrl } from '@dtps/core';
import type { Output } from '../output.js';
import type { Launch } from './daemons.js';
import { DemoTrickle } from './demo-trickle.js';
import { binPath, PROGRAMS } from './paths.js';
import { Foreground, pause } from './processes.js';
import { type Snapshot, snapshot, statusLine } from './status.js';

/** How often the status line is printed without the console. */
const STATUS_EVERY_MS = 5000;

/** The demo trickle and its log file (`.dtps/logs/demo.log`: the console owns the terminal). */
export class DemoRun {
  readonly #trickle: DemoTrickle;
  readonly #log: WriteStream;

  private constructor(trickle: DemoTrickle, log: WriteStream) {
    this.#trickle = trickle;
    this.#log = log;
  }

  static start(client: Client, queue: string, logs: string): DemoRun {
    const log = createWriteStream(join(logs, 'demo.log'));
    log.on('error', () => undefined);
    const trickle = new DemoTrickle({
      client,
      queue,
      log: (line) => log.write(`${new Date().toISOString()} ${line}\n`),
    });
    trickle.start();
    return new DemoRun(trickle, log);
  }

  /** Stops submitting and closes the log; resolves with how many tasks were submitted. Never throws. */
  async stop(): Promise<number> {
    await this.#trickle.stop().catch(() => undefined);
    await new Promise<void>((resolve) => this.#log.end(resolve));
    return this.#trickle.submitted;
  }
}

/** Starts the console (dtps-tui) in the foreground, on this terminal. */
export function startConsole(launch: Launch, redisUrl: string, prefix: string, queue: string): Foreground {
  const args = [
    binPath('console'),
    '--prefix',
    prefix,
    '--queue',
    queue,
    // The URL travels in the environment; on the command line only when it holds no secret.
    ...(redactRedisUrl(redisUrl) === redisUrl ? ['--redis', redisUrl] : []),
    ...(launch.configFile === undefined ? [] : ['--config', launch.configFile]),
  ];
  return new Foreground(PROGRAMS.console.bin, process.execPath, args, launch.env, launch.layout.cwd);
}

/** Prints a status line every few seconds until `signal` aborts. */
export async function printStatus(client: Client, out: Output, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    let s: Snapshot | undefined;
    try {
      s = await snapshot(client);
    } catch (err) {
      out.note(`status unavailable: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (s !== undefined && !signal.aborted) {
      const status = s;
      out.result({ event: 'status', ...status }, () => statusLine(status));
    }
    await pause(STATUS_EVERY_MS, signal);
  }
}
