/**
 * End to end: the real `dtps-tui` in tmux, against a real redis-server and a
 * real `dtps-worker` process. Keys go in with `tmux send-keys`, the screen
 * comes back with `tmux capture-pane -p`.
 *
 * With DTPS_TUI_WRITE_CAPTURES=1 the screens it passes through are saved to
 * packages/tui/captures/<view>.txt (the README shows them).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, connectRedis, type RedisClient } from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import test, { type ExecutionContext } from 'ava';

/** Built files: this file is dist/test/e2e/console.test.js. */
const TUI_BIN = fileURLToPath(new URL('../../../bin/dtps-tui.js', import.meta.url));
const WORKER_BIN = fileURLToPath(new URL('../../../../worker/bin/dtps-worker.js', import.meta.url));
const CAPTURES = fileURLToPath(new URL('../../../captures/', import.meta.url));

const COLUMNS = 100;
const ROWS = 30;

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const TMUX = hasTmux();
if (!TMUX) {
  process.stderr.write(
    'dtps-tui e2e: SKIPPED — tmux is not installed (apt-get install -y tmux); the console was not driven end to end\n',
  );
}
const e2e = TMUX ? test : test.skip;

/** One tmux server of our own (its own socket), so nothing else's sessions are touched. */
class Tmux {
  readonly socket = `dtps-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly session = 'tui';

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  start(command: string): void {
    this.run('new-session', '-d', '-s', this.session, '-x', String(COLUMNS), '-y', String(ROWS), command);
    // Keep the pane after the program ends, so a crash leaves its last words.
    this.run('set-option', '-t', this.session, 'remain-on-exit', 'on');
  }

  /** Keys by tmux name (Enter, Tab, Escape, C-u) or, with `literal`, text as typed. */
  keys(keys: string, literal = false): void {
    this.run('send-keys', '-t', this.session, ...(literal ? ['-l', keys] : [keys]));
  }

  screen(): string {
    return this.run('capture-pane', '-p', '-t', this.session);
  }

  resize(columns: number, rows: number): void {
    this.run('resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows));
  }

  dead(): boolean {
    return this.run('display-message', '-p', '-t', this.session, '#{pane_dead}').trim() === '1';
  }

  kill(): void {
    try {
      this.run('kill-server');
    } catch {
      // already gone
    }
  }
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls the screen until `re` matches; fails with the last screen.
 *
 * Every key the test sends waits for the screen it leads to before the next
 * key goes: keys sent back to back can reach the console in one read, and
 * Ink reads Esc with the key after it as a single Alt+key (`\x1b/`, `\x1b\t`),
 * dropping the Esc (the flake of about 1 run in 6 this test once had).
 */
async function screenUntil(tmux: Tmux, re: RegExp, what: string, timeoutMs = 20_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    last = tmux.screen();
    if (re.test(last)) return last;
    await sleep(100);
  }
  throw new Error(`the console never showed ${what} (${re}); last screen:\n${last}`);
}

async function until<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch {
      // Redis restarting: try again
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

const captured = new Map<string, string>();
function capture(name: string, screen: string): void {
  // The whole screen, blank lines too; only trailing spaces go.
  captured.set(name, `${screen.replace(/[ \t]+$/gm, '').replace(/\n+$/, '')}\n`);
}

function startWorker(redisUrl: string, prefix: string, id: string): ChildProcess {
  const cwd = mkdtempSync(join(tmpdir(), 'dtps-tui-e2e-'));
  const child = spawn(
    process.execPath,
    [WORKER_BIN, '--workers', '2', '--min', '2', '--max', '2', '--steal', '--log-format', 'json'],
    {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DTPS_REDIS_URL: redisUrl,
        DTPS_PREFIX: prefix,
        DTPS_WORKER_ID: id,
        DTPS_WORKER_HEARTBEAT_MS: '300',
        // Pool fixed at 2 (min = max) and no shrinking: the autoscaler stays out
        // of the way of the operator's + (which raises max with the size).
        DTPS_WORKER_AUTOSCALE_COOLDOWN_MS: '600000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    log = (log + d).slice(-4000);
  });
  (child as ChildProcess & { tail: () => string }).tail = () => log;
  return child;
}

e2e(
  'dtps-tui in tmux: submit with the keys, see it succeed, scale with +, survive a Redis restart',
  async (t: ExecutionContext) => {
    t.timeout(180_000);
    const server = await RedisServer.start();
    const prefix = uniquePrefix();
    const workerId = `e2e-w-${prefix}`;
    const tmux = new Tmux();
    let worker: ChildProcess | undefined;
    let redis: RedisClient | undefined;
    try {
      worker = startWorker(server.url, prefix, workerId);
      redis = await connectRedis(server.url, { maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined);
      const client = new Client({ redis, prefix });
      await until(
        () => client.workers(),
        (ws) => ws.some((w) => w.id === workerId),
        'the worker to register',
      );

      // Some work first, so that the charts and the lists have something to show.
      await client.submitMany([
        ...Array.from({ length: 120 }, (_, i) => ({
          type: 'sleep',
          payload: { ms: 40 },
          priority: 1 + (i % 10),
        })),
        ...Array.from({ length: 12 }, () => ({
          type: 'fail',
          payload: { message: 'demo failure' },
          maxRetries: 0,
        })),
        ...Array.from({ length: 20 }, (_, i) => ({ type: 'echo', payload: { n: i } })),
      ]);

      // The console, with only the environment it needs: no CI variables
      // (Ink draws nothing until exit when it believes it runs in CI).
      const env = [
        `PATH=${process.env.PATH}`,
        `HOME=${process.env.HOME}`,
        'TERM=xterm-256color',
        'LANG=C.UTF-8',
        `DTPS_REDIS_URL=${server.url}`,
        `DTPS_PREFIX=${prefix}`,
      ];
      tmux.start(`env -i ${env.map((e) => `'${e}'`).join(' ')} '${process.execPath}' '${TUI_BIN}'`);
      await screenUntil(tmux, /1 Overview[\s\S]*1 worker/, 'the Overview with the worker');
      await screenUntil(tmux, /succeeded [1-9]/, 'tasks succeeding');

      // A steady trickle for the rest of the test, so that the charts move.
      let trickling = true;
      const trickle = (async () => {
        for (let i = 0; trickling && i < 400; i++) {
          await client
            .submitMany(
              Array.from({ length: 4 }, (_, j) => ({ type: 'sleep', payload: { ms: 120 + 40 * j } })),
            )
            .catch(() => undefined);
          await sleep(400);
        }
      })();

      // Submit a task with the keys: n, the type, Tab, the payload, Enter.
      tmux.keys('n');
      await screenUntil(tmux, /New task on queue default · live workers handle: .*echo/, 'the submit form');
      tmux.keys('C-u');
      await screenUntil(tmux, /▶ type +a handler name█/, 'the type field cleared');
      tmux.keys('echo', true);
      await screenUntil(tmux, /▶ type +echo█/, 'the type typed');
      tmux.keys('Tab');
      await screenUntil(tmux, /▶ payload/, 'the payload field');
      tmux.keys('{"hello":"from the console"}', true);
      await screenUntil(tmux, /✓ JSON/, 'the payload checked as JSON');
      tmux.keys('Tab');
      await screenUntil(tmux, /▶ priority/, 'the priority field');
      tmux.keys('7', true);
      const form = await screenUntil(tmux, /▶ priority +7/, 'the priority typed');
      capture('submit', form);
      tmux.keys('Enter');
      const followed = await screenUntil(
        tmux,
        /Submitted task \S+[\s\S]*state +succeeded/,
        'the new task reach succeeded',
      );
      capture('submit-followed', followed);
      const id = /Submitted task (\S+)/.exec(followed)![1]!;
      const task = await client.get(id);
      t.is(task.state, 'succeeded');
      t.is(task.type, 'echo');
      t.is(task.priority, 7);
      t.deepEqual(task.result, { hello: 'from the console' });
      t.regex(followed, /result +\{"hello":"from the console"\}/);
      tmux.keys('Escape');
      // The Overview again before Tab: Esc and Tab in one read would lose the Esc.
      await screenUntil(tmux, /tasks\/s[\s\S]*depth/, 'the Overview again');

      // Workers: + grows the selected worker's pool, and its heartbeat says so.
      tmux.keys('Tab');
      await screenUntil(tmux, /▶ e2e-w/, 'the worker selected');
      capture('workers', tmux.screen());
      const before = (await client.workers()).find((w) => w.id === workerId)!;
      tmux.keys('+');
      const grown = await until(
        () => client.workers(),
        (ws) => ws.find((w) => w.id === workerId)?.poolSize === before.poolSize + 1,
        `the heartbeat to report pool size ${before.poolSize + 1}`,
      );
      t.is(grown.find((w) => w.id === workerId)!.poolSize, before.poolSize + 1);
      t.is(before.poolSize, 2);
      await screenUntil(tmux, new RegExp(`${workerId}: size 3, max 3`), 'the scale notice');
      await screenUntil(tmux, /▶ e2e-w.* 3 2-3 /, 'the new pool size and bound in the row');
      // Issue 17, point 5: who changed the size last, and why, from the worker's heartbeat.
      await screenUntil(
        tmux,
        /pool 3 \(2-3\) · sized by the operator [^:\n]*: operator: size 2 → 3; max 2 → 3/,
        "the operator's size change under the table",
      );

      // Tasks: the list, a detail, the filter, help.
      tmux.keys('Tab');
      capture('tasks', await screenUntil(tmux, /ID +TYPE +STATE[\s\S]*▶/, 'the task list'));
      tmux.keys('Enter');
      capture(
        'task-detail',
        await screenUntil(tmux, /Task \S+ \w+[\s\S]*progress[\s\S]*payload/, 'a task detail'),
      );
      tmux.keys('Escape');
      // The task list again before /: Esc and / in one read would lose the Esc.
      await screenUntil(tmux, /ID +TYPE +STATE/, 'the task list again');
      tmux.keys('/');
      await screenUntil(tmux, /Filter tasks/, 'the filter form');
      // State choices step back from any: cancelled, expired, failed.
      tmux.keys('Left');
      await screenUntil(tmux, /▶ state +◀ +cancelled/, 'the state filter on cancelled');
      tmux.keys('Left');
      await screenUntil(tmux, /▶ state +◀ +expired/, 'the state filter on expired');
      tmux.keys('Left');
      capture('filter', await screenUntil(tmux, /▶ state +◀ +failed/, 'the state filter on failed'));
      tmux.keys('Enter');
      await screenUntil(tmux, /state failed[\s\S]*fail +failed/, 'the failed tasks');
      // A failed task's detail shows what its handler logged (the demo fail handler logs a line).
      tmux.keys('Enter');
      capture(
        'task-detail-log',
        await screenUntil(
          tmux,
          /Task \S+ failed[\s\S]*errors\n.*demo failure[\s\S]* log \(1 line\)\n +\d\d:\d\d:\d\d #1 attempt 1: about to fail with "demo failure"/,
          "a failed task's detail with its log",
        ),
      );
      tmux.keys('Escape');
      await screenUntil(tmux, /filter queue default · state failed/, 'the filtered list after the detail');
      tmux.keys('?');
      capture('help', await screenUntil(tmux, /Keys[\s\S]*pool size up \/ down/, 'the help'));
      tmux.keys('Escape');
      // The filtered list again before 1: Esc and the next key in one read would lose the Esc.
      await screenUntil(tmux, /filter queue default · state failed/, 'the filtered list again');
      tmux.keys('1');
      // The charts with the trickle flowing through them.
      capture(
        'overview',
        await screenUntil(tmux, /tasks\/s +● completed [1-9][\s\S]*depth/, 'the charts with work flowing'),
      );

      // A resize: the layout follows; 80x24 still shows every part.
      tmux.resize(80, 24);
      const small = await screenUntil(
        tmux,
        /4 Schedules +queue default · 1 worker ●[\s\S]*tasks\/s[\s\S]*depth/,
        'the Overview at 80x24 (the header drops what does not fit)',
      );
      const lines = small.replace(/\n+$/, '').split('\n');
      t.true(lines.length <= 24 && lines.every((l) => [...l].length <= 80), 'fits 80x24');
      t.regex(lines.at(-1)!, /q quit/, 'the quit hint at 80x24 (Overview)');
      capture('overview-80x24', small);
      tmux.keys('2');
      const workers80 = await screenUntil(tmux, /WORKER +BEAT[\s\S]*▶ e2e-w/, 'the Workers view at 80x24');
      // Regression (issue 17, point 7): the Workers and Tasks footers lost "q quit" at 80 columns.
      t.regex(
        workers80.replace(/\n+$/, '').split('\n').at(-1)!,
        /q quit/,
        'the quit hint at 80x24 (Workers)',
      );
      capture('workers-80x24', workers80);
      tmux.keys('3');
      const tasks80 = await screenUntil(tmux, /ID +TYPE +STATE[\s\S]*▶/, 'the Tasks view at 80x24');
      t.regex(tasks80.replace(/\n+$/, '').split('\n').at(-1)!, /q quit/, 'the quit hint at 80x24 (Tasks)');
      tmux.resize(COLUMNS, ROWS);
      tmux.keys('1');
      await screenUntil(tmux, /no coordinator[\s\S]*tasks\/s[\s\S]*depth/, 'the Overview at full size again');

      trickling = false;
      await trickle;

      // Redis goes away: a banner; Redis comes back: the console carries on by itself.
      await server.kill9();
      capture(
        'redis-lost',
        // Regression (issue 17, point 7): it said ioredis's "Reached the max retries per request limit".
        await screenUntil(
          tmux,
          /Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable: (connection refused|no answer)[^\n]*reconnecting/,
          'the Redis-lost banner, naming the Redis in plain words',
        ),
      );
      await server.restart();
      await screenUntil(tmux, /Redis is back/, 'the reconnection');
      await until(
        () => client.workers(),
        (ws) => ws.some((w) => w.id === workerId),
        'the worker to beat again after the restart',
        30_000,
      );
      await screenUntil(tmux, /1 worker/, 'the worker back on screen');

      tmux.keys('q');
      await until(
        async () => tmux.dead(),
        (d) => d,
        'the console to quit',
      );
      t.pass();
    } catch (err) {
      const tail = (worker as (ChildProcess & { tail?: () => string }) | undefined)?.tail?.();
      if (tail) t.log(`worker log tail:\n${tail}`);
      throw err;
    } finally {
      tmux.kill();
      worker?.kill('SIGKILL');
      redis?.disconnect();
      await server.stop();
      if (process.env.DTPS_TUI_WRITE_CAPTURES === '1' && captured.size > 0) {
        mkdirSync(CAPTURES, { recursive: true });
        for (const [name, text] of captured) writeFileSync(join(CAPTURES, `${name}.txt`), text);
      }
    }
  },
);
