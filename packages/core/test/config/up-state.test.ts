/**
 * The Redis of a `dtps up` running in the directory (`.dtps/up.json`): where
 * it sits in the precedence, and when it is ignored.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { findRunningUp, type LoadConfigOptions, loadConfig, upRedisNotice } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
test.after.always(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A running process whose command line has `word` in it (or not): a stand-in for `dtps up`. */
function running(word: string): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)', word], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

const FILE_URL = 'redis://127.0.0.1:6379';
const UP_URL = 'redis://127.0.0.1:39199';

/** A temp dir with a config file naming FILE_URL and an up state with `state`. */
async function folder(state: Record<string, unknown> | string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dtps-up-state-'));
  dirs.push(dir);
  await writeFile(join(dir, '.dtpsrc.yaml'), `redis:\n  url: ${FILE_URL}\n`);
  await mkdir(join(dir, '.dtps'));
  await writeFile(join(dir, '.dtps', 'up.json'), typeof state === 'string' ? state : JSON.stringify(state));
  return dir;
}

function load(dir: string, options: LoadConfigOptions = {}) {
  return loadConfig({ cwd: dir, stopDir: dir, env: {}, ...options });
}

/** A pid that runs no process: that of a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

test('a running up supplies redis.url over the config file, under the environment and flags', async (t) => {
  const up = running('dtps-up-stand-in');
  const dir = await folder({ pid: up, startedAt: Date.now(), redisUrl: UP_URL, processes: [] });
  const path = join(dir, '.dtps', 'up.json');

  const loaded = await load(dir);
  t.is(loaded.config.redis.url, UP_URL);
  t.deepEqual(loaded.sources['redis.url'], { kind: 'up', path });
  t.like(loaded.up, { pid: up, redisUrl: UP_URL, path });
  t.is(upRedisNotice(loaded.up!, dir), `using dtps up's Redis at ${UP_URL} (from .dtps/up.json)`);

  const env = await load(dir, { env: { DTPS_REDIS_URL: 'redis://envhost:1' } });
  t.is(env.config.redis.url, 'redis://envhost:1');
  t.is(env.up, undefined, 'not named as used when the environment wins');
  const flag = await load(dir, { flags: { 'redis.url': 'redis://flaghost:2' } });
  t.is(flag.config.redis.url, 'redis://flaghost:2');

  const own = await load(dir, { upState: false });
  t.is(own.config.redis.url, FILE_URL, 'dtps up itself does not read it');
});

test('a stale (pid dead or reused), unfinished or broken state is ignored; a bad URL in it is refused naming the file', async (t) => {
  const stale = await folder({ pid: await deadPid(), startedAt: 1, redisUrl: UP_URL });
  t.is(await findRunningUp(stale), undefined);
  t.is((await load(stale)).config.redis.url, FILE_URL);

  // The pid of an up killed outright, since reused by another program.
  const reused = await folder({ pid: running('something-else'), startedAt: 1, redisUrl: UP_URL });
  t.is(await findRunningUp(reused), undefined);

  const up = running('dtps-up-stand-in');
  // Written before up has its Redis: no URL yet.
  const early = await folder({ pid: up, startedAt: 1, processes: [] });
  t.is((await load(early)).config.redis.url, FILE_URL);
  const broken = await folder('{"pid": ');
  t.is((await load(broken)).config.redis.url, FILE_URL);

  const bad = await folder({ pid: up, startedAt: 1, redisUrl: 'http://nope' });
  const err = await t.throwsAsync(load(bad), { instanceOf: ConfigError });
  t.regex(err.message, /dtps up .*up\.json/);
});
