/**
 * Runs the console on a terminal: the full-screen Ink app on a Redis
 * connection the caller made. The bin (and `dtps up`) call this.
 */
import {
  Client,
  type DtpsConfig,
  engineOptionsFrom,
  Inspector,
  type RedisClient,
  redactRedisUrl,
  ScheduleStore,
  scheduleDetail,
} from '@dtps/core';
import { render } from 'ink';
import { createElement } from 'react';
import { App } from './app.js';
import { ChartRenderer } from './charts/renderer.js';
import { clientEffects } from './effects/effects.js';
import { FeedReader } from './feed/reader.js';
import type { ConnectionEvents } from './hooks/use-feed.js';
import type { Freshness } from './state/types.js';

/** Escape sequences of the terminal's alternate screen: the console leaves the shell's screen as it was. */
const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';

export interface ConsoleOptions {
  /** A connection (it may still be connecting: the console shows a banner until it answers). */
  redis: RedisClient;
  config: DtpsConfig;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
}

/** A running console. */
export interface ConsoleHandle {
  /** Resolves when the operator quit (q) or `stop` was called, with the terminal restored. */
  done: Promise<void>;
  /** Quits from outside (a signal). */
  stop(): void;
}

/** Heartbeat colours from the config: fresh up to two beats and a half, dead at the coordinator's timeout. */
export function freshnessOf(config: DtpsConfig): Freshness {
  const late = 2 * config.worker.heartbeatMs + 500;
  return { lateAfterMs: late, deadAfterMs: Math.max(late + 1, config.coordinator.heartbeatTimeoutMs) };
}

export function runConsole(opts: ConsoleOptions): ConsoleHandle {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const client = new Client(engineOptionsFrom(opts.config, opts.redis));
  const store = new ScheduleStore(client.ctx);
  const reader = new FeedReader(new Inspector(client.ctx), async () =>
    Promise.all((await store.list()).map((s) => scheduleDetail(s, client))),
  );
  const renderer = new ChartRenderer();
  stdout.write(ENTER_ALT_SCREEN);
  const instance = render(
    createElement(App, {
      initial: {
        now: Date.now(),
        columns: stdout.columns || 80,
        rows: stdout.rows || 24,
        queue: opts.config.queue,
        redisLabel: redactRedisUrl(opts.config.redis.url),
        freshness: freshnessOf(opts.config),
      },
      reader,
      effects: clientEffects(client),
      renderer,
      connection: opts.redis as unknown as ConnectionEvents,
    }),
    {
      stdout,
      stdin,
      ...(opts.stderr ? { stderr: opts.stderr } : {}),
      // q and Ctrl-C go through the keymap, which quits cleanly.
      exitOnCtrlC: false,
      // Ink 6.8's incremental mode puts a frame that ends in a line break one
      // line too low (it moves the cursor up one line too few), so the
      // standard mode: each frame is one write, erase and redraw inside a
      // synchronized update (DEC 2026), and only when the text changed. The
      // frame is one line shorter than the terminal (state/layout.ts), so Ink
      // never falls back to clearing the whole screen.
      incrementalRendering: false,
      maxFps: 30,
    },
  );
  const done = instance.waitUntilExit().then(
    () => undefined,
    () => undefined,
  );
  return {
    done: done.then(async () => {
      renderer.destroy();
      await client.close();
      stdout.write(LEAVE_ALT_SCREEN);
    }),
    stop: () => instance.unmount(),
  };
}
