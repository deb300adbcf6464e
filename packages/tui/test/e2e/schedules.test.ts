/**
 * The Schedules view end to end: the real `dtps-tui` in tmux, a real
 * `dtps-coordinator` firing a schedule every second and a real `dtps-worker`
 * running the runs. Key 4 opens the view; it shows the next and last runs and
 * the last run's outcome as it changes, and a pause. With
 * DTPS_TUI_WRITE_CAPTURES=1 the screen is saved to captures/schedules.txt.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectRedis, EngineContext, type RedisClient, ScheduleStore } from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import test from 'ava';

const TUI_BIN = fileURLToPath(new URL('../../../bin/dtps-tui.js', import.meta.url));
const WORKER_BIN = fileURLToPath(new URL('../../../../worker/bin/dtps-worker.js', import.meta.url));
const COORDINATOR_BIN = fileURLToPath(
  new URL('../../../../coordinator/bin/dtps-coordinator.js', import.meta.url),
);
const CAPTURES = fileURLToPath(new URL('../../../captures/', import.meta.url));

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const TMUX = hasTmux();
if (!TMUX) process.stderr.write('dtps-tui schedules e2e: SKIPPED — tmux is not installed\n');
const e2e = TMUX ? test : test.skip;

const socket = `dtps-sched-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function screenUntil(re: RegExp, what: string, timeoutMs = 30_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    last = tmux('capture-pane', '-p', '-t', 'tui');
    if (re.test(last)) return last;
    await sleep(100);
  }
  throw new Error(`the console never showed ${what} (${re}); last screen:\n${last}`);
}

function daemon(bin: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [bin, ...args, '--log-format', 'json'], {
    cwd: mkdtempSync(join(tmpdir(), 'dtps-tui-sched-')),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: 'ignore',
  });
}

e2e(
  'dtps-tui in tmux: the Schedules view shows next and last runs and the last outcome, and a pause',
  async (t) => {
    t.timeout(180_000);
    const server = await RedisServer.start();
    const prefix = uniquePrefix();
    const env = { DTPS_REDIS_URL: server.url, DTPS_PREFIX: prefix };
    const children: ChildProcess[] = [];
    let redis: RedisClient | undefined;
    try {
      redis = await connectRedis(server.url, { maxRetriesPerRequest: 1 });
      const store = new ScheduleStore(new EngineContext({ redis, prefix }));
      await store.save(
        { id: 'heartbeat', everyMs: 1000, template: { type: 'echo', payload: { hi: 1 } } },
        'cli',
      );
      await store.save(
        { id: 'nightly-report', cron: '0 3 * * *', tz: 'Europe/Berlin', template: { type: 'report' } },
        'cli',
      );
      children.push(daemon(COORDINATOR_BIN, [], env), daemon(WORKER_BIN, ['--workers', '2'], env));
      const tuiEnv = ['PATH', 'HOME'].map((k) => `${k}=${process.env[k]}`);
      tuiEnv.push(
        'TERM=xterm-256color',
        'LANG=C.UTF-8',
        `DTPS_REDIS_URL=${server.url}`,
        `DTPS_PREFIX=${prefix}`,
      );
      tmux(
        'new-session',
        '-d',
        '-s',
        'tui',
        '-x',
        '100',
        '-y',
        '30',
        `env -i ${tuiEnv.map((e) => `'${e}'`).join(' ')} '${process.execPath}' '${TUI_BIN}'`,
      );
      tmux('set-option', '-t', 'tui', 'remain-on-exit', 'on');
      await screenUntil(/1 Overview/, 'the console');
      tmux('send-keys', '-t', 'tui', '4');
      const shown = await screenUntil(
        /heartbeat +every 1\.0s +(in [\d.]+m?s|due) +[\d.]+m?s ago fired → succeeded/,
        'a run of heartbeat that succeeded',
      );
      t.regex(shown, /4 Schedules/);
      // Next 03:00 in Berlin: hours away most of the day, minutes (or seconds) in the hour before.
      t.regex(shown, /nightly-report +0 3 \* \* \* Europe\/Berlin +in [\d.]+(h|m|s|ms) +— +—/);
      t.regex(shown, /2 schedules/);
      const fired = Number(/heartbeat .* succeeded +(\d+)/.exec(shown)![1]);
      await screenUntil(
        new RegExp(`heartbeat .* succeeded +(?!${fired}\\b)\\d+`),
        'the count of runs going up',
      );
      if (process.env.DTPS_TUI_WRITE_CAPTURES === '1') {
        mkdirSync(CAPTURES, { recursive: true });
        writeFileSync(
          join(CAPTURES, 'schedules.txt'),
          `${shown.replace(/[ \t]+$/gm, '').replace(/\n+$/, '')}\n`,
        );
      }
      await store.setPaused('heartbeat', true);
      await screenUntil(/heartbeat +every 1\.0s +paused/, 'heartbeat paused');
      tmux('send-keys', '-t', 'tui', 'q');
    } finally {
      try {
        tmux('kill-server');
      } catch {
        // gone already
      }
      for (const c of children) c.kill('SIGKILL');
      redis?.disconnect();
      await server.stop();
    }
  },
);
