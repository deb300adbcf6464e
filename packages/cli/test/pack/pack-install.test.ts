/**
 * dtps outside this repository (issue 17): the packages packed with `pnpm
 * pack:all`, installed with npm into a copy of examples/quickstart in a temp
 * dir outside the repository, and there: a worker running the example's own
 * handler module, the example's producer (Client submit + wait) and the
 * `dtps` CLI, against a test redis-server. Then deploy/'s systemd units: their
 * ExecStart lines as written (installed paths substituted) bring up a worker
 * and a coordinator that answer, and `systemd-analyze verify` accepts them.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Client, listWorkers } from '@dtps/core';
import { freePort, RedisServer, waitFor } from '@dtps/core/testing';
import test from 'ava';
import {
  explain,
  insideRepo,
  installScratchApp,
  killStarted,
  REPO,
  run,
  type ScratchApp,
  type Started,
  scratchRoot,
  start,
  userEnv,
} from './scratch.js';
import { commandWords, environmentFile, oneSetting, serviceSettings } from './unit-file.js';

let root: string | undefined;
let app: ScratchApp;
let redis: RedisServer;

test.before('pack, install outside the repository, start redis-server', async (t) => {
  // npm fetches the third-party dependencies (about 350 packages) unless its cache has them.
  t.timeout(600_000);
  root = scratchRoot();
  [app, redis] = await Promise.all([installScratchApp(root), RedisServer.start()]);
  t.log(
    `pack ${(app.packMs / 1000).toFixed(1)} s, npm install ${(app.installMs / 1000).toFixed(1)} s, in ${app.dir}`,
  );
});

test.after.always('stop what the tests started, remove the scratch project', async () => {
  killStarted();
  await redis?.stop();
  // About 285 MB of node_modules a run.
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

/**
 * The example's commands run against the test Redis. The variable is set
 * even where a flag names the Redis too: the example's .dtpsrc.yaml says
 * 127.0.0.1:6379, which a test must never reach, even when a flag is lost.
 */
function appEnv(): NodeJS.ProcessEnv {
  return userEnv({ DTPS_REDIS_URL: redis.url });
}

test.serial(
  'the quickstart runs outside the repository: its handlers, its producer and the dtps CLI',
  async (t) => {
    t.timeout(180_000);
    t.false(insideRepo(app.dir), `${app.dir} must be outside ${REPO}`);
    const installedWorker = realpathSync(join(app.dir, 'node_modules', '.bin', 'dtps-worker'));
    t.true(installedWorker.startsWith(realpathSync(app.dir)), `dtps-worker resolves to ${installedWorker}`);

    const worker = start(
      'npx',
      ['dtps-worker', '--handlers', './tasks.mjs', '--redis', redis.url, '--log-format', 'json'],
      { cwd: app.dir, env: appEnv() },
    );
    await worker.waitForOutput('"msg":"worker started"');
    t.regex(worker.output, /"handlers":\["wordcount"\]/, 'the worker loaded the example handler module');

    const text = 'tarballs installed outside the repository';
    const produced = await run(process.execPath, ['produce.mjs', ...text.split(' ')], {
      cwd: app.dir,
      env: appEnv(),
    });
    t.is(produced.code, 0, explain('node produce.mjs', produced));
    const line = JSON.parse(produced.stdout) as { id: string; state: string; result: unknown };
    t.is(line.state, 'succeeded');
    const expected = { words: 5, longest: 'repository' };
    t.deepEqual(line.result, expected);

    const status = await run('npx', ['dtps', 'status', line.id, '--json'], { cwd: app.dir, env: appEnv() });
    t.is(status.code, 0, explain('npx dtps status', status));
    const task = JSON.parse(status.stdout) as {
      state: string;
      type: string;
      result: unknown;
      attempts: number;
    };
    t.like(task, { state: 'succeeded', type: 'wordcount', attempts: 1 });
    t.deepEqual(task.result, expected);

    worker.signal('SIGTERM');
    await worker.waitForOutput('"msg":"worker stopped"');
    await worker.exited;
  },
);

test.serial('every export, bin and engine of the installed packages holds', (t) => {
  for (const name of ['core', 'worker', 'coordinator', 'tui', 'cli']) {
    const dir = join(app.dir, 'node_modules', '@dtps', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
    t.is(pkg.engines?.node, '>=20.19', `@dtps/${name} engines.node`);
    t.false(JSON.stringify(pkg.dependencies ?? {}).includes('workspace:'), `@dtps/${name} dependencies`);
    const targets = [
      ...Object.values(pkg.exports ?? {}).flatMap((e) => Object.values(e)),
      ...Object.values(pkg.bin ?? {}),
    ];
    for (const target of targets)
      t.true(existsSync(join(dir, target)), `@dtps/${name}: ${target} is missing`);
    for (const bin of Object.values(pkg.bin ?? {})) {
      t.true(readFileSync(join(dir, bin), 'utf8').startsWith('#!/usr/bin/env node\n'), `${bin}: shebang`);
    }
  }
});

test.serial('every installed package imports in the project, and the console answers --help', async (t) => {
  // A runtime import missing from a package's dependencies fails here. The other bins run
  // in the tests around; the console's bin loads its modules (ink, react) only after --help.
  const names = ['core', 'worker', 'coordinator', 'tui', 'cli'].map((name) => `'@dtps/${name}'`);
  const script = `for (const name of [${names.join(', ')}]) await import(name);`;
  const imported = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: app.dir,
    env: appEnv(),
  });
  t.is(imported.code, 0, explain('import of every package', imported));
  const help = await run('npx', ['dtps-tui', '--help'], { cwd: app.dir, env: appEnv() });
  t.is(help.code, 0, explain('npx dtps-tui --help', help));
  t.regex(help.stdout, /usage/i);
});

test.serial("the example's package.json names tarballs that pack:all writes", (t) => {
  // In the clone, `cd examples/quickstart && npm install` installs them from ../../dist-packages.
  const example = JSON.parse(readFileSync(join(REPO, 'examples', 'quickstart', 'package.json'), 'utf8'));
  const packed = app.tarballs.map((path) => `file:../../dist-packages/${basename(path)}`);
  for (const [name, spec] of Object.entries(example.dependencies as Record<string, string>)) {
    t.true(packed.includes(spec), `${name}: ${spec} is not one of ${packed.join(', ')}`);
  }
});

interface PackageJson {
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  exports?: Record<string, Record<string, string>>;
  bin?: Record<string, string>;
}

/** Installed paths of this machine for the paths the units are written with. */
function installedHere(text: string): string {
  return text
    .replaceAll('/usr/bin/node', process.execPath)
    .replaceAll('/opt/dtps', app.dir)
    .replaceAll('/etc/dtps/', `${join(REPO, 'deploy')}/`);
}

/** A deploy/ unit started as systemd would: its ExecStart, WorkingDirectory and EnvironmentFile. */
function startUnit(unit: string, overrides: Record<string, string>): { daemon: Started; stopMs: number } {
  const settings = serviceSettings(join(REPO, 'deploy', unit));
  const [command, ...args] = commandWords(installedHere(oneSetting(settings, 'ExecStart')));
  const cwd = installedHere(oneSetting(settings, 'WorkingDirectory'));
  const vars = environmentFile(installedHere(oneSetting(settings, 'EnvironmentFile')));
  for (const [key, value] of Object.entries(vars)) vars[key] = installedHere(value);
  assertKillSignal(settings);
  const daemon = start(command as string, args, { cwd, env: userEnv({ ...vars, ...overrides }) });
  return { daemon, stopMs: seconds(oneSetting(settings, 'TimeoutStopSec')) * 1000 };
}

/** The units stop their daemons with SIGTERM, the signal both handle gracefully. */
function assertKillSignal(settings: Map<string, string[]>): void {
  if (oneSetting(settings, 'KillSignal') !== 'SIGTERM') throw new Error('KillSignal must be SIGTERM');
}

/** The exit code, or 'still running' when the process has not ended within `ms`. */
async function exitWithin(daemon: Started, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => {
    timer = setTimeout(() => resolve('still running'), ms);
  });
  try {
    return await Promise.race([daemon.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

function seconds(value: string): number {
  const m = /^(\d+)s?$/.exec(value);
  if (!m) throw new Error(`a time in seconds was expected, got ${value}`);
  return Number(m[1]);
}

test.serial("deploy/'s units, run as written, bring up a worker and a coordinator that answer", async (t) => {
  t.timeout(180_000);
  const worker = startUnit('dtps-worker.service', { DTPS_REDIS_URL: redis.url });
  const port = await freePort();
  const coordinator = startUnit('dtps-coordinator.service', {
    DTPS_REDIS_URL: redis.url,
    DTPS_MONITOR_PORT: String(port),
  });
  const token = environmentFile(join(REPO, 'deploy', 'coordinator.env')).DTPS_MONITOR_TOKEN as string;

  const client = new Client({ redis: redis.client() });
  try {
    // The worker's heartbeat is visible, and it runs the handler module its environment file names.
    await waitFor(
      async () => {
        if (!worker.daemon.alive) throw new Error(`the worker exited:\n${worker.daemon.output}`);
        const workers = await listWorkers(client.ctx);
        return workers.some((w) => w.pid === worker.daemon.child.pid);
      },
      { timeoutMs: 60_000, what: 'the worker heartbeat', details: () => worker.daemon.output },
    );
    const { id } = await client.submit({ type: 'wordcount', payload: { text: 'run by systemd' } });
    const done = await client.wait(id, { timeoutMs: 60_000 });
    t.like(done, { state: 'succeeded', result: { words: 3, longest: 'systemd' } });

    // The monitor listens beyond loopback: health is open, the API needs the token.
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (!coordinator.daemon.alive)
          throw new Error(`the coordinator exited:\n${coordinator.daemon.output}`);
        return (await fetch(`${base}/healthz`).catch(() => null))?.status === 200;
      },
      { timeoutMs: 60_000, what: "the coordinator's /healthz", details: () => coordinator.daemon.output },
    );
    t.is((await fetch(`${base}/api/v1/workers`)).status, 401);
    const listed = await fetch(`${base}/api/v1/workers`, { headers: { authorization: `Bearer ${token}` } });
    t.is(listed.status, 200);
    t.regex(await listed.text(), new RegExp(`"pid":${worker.daemon.child.pid}\\b`));
  } finally {
    await client.close();
  }

  // KillSignal=SIGTERM: both stop cleanly within their TimeoutStopSec.
  for (const unit of [worker, coordinator]) {
    unit.daemon.signal('SIGTERM');
    t.is(await exitWithin(unit.daemon, unit.stopMs), 0, unit.daemon.output);
  }
});

test.serial('systemd-analyze verify accepts the units with this machine’s paths', async (t) => {
  const check = await run('systemd-analyze', ['--version'], { cwd: REPO, env: process.env }).catch(
    () => null,
  );
  if (check?.code !== 0) {
    t.fail('systemd-analyze is not installed (.ci/run installs the systemd package)');
    return;
  }
  const units = join(dirname(app.dir), 'units');
  mkdirSync(units, { recursive: true });
  for (const unit of ['dtps-worker.service', 'dtps-coordinator.service']) {
    const path = join(units, unit);
    writeFileSync(path, installedHere(readFileSync(join(REPO, 'deploy', unit), 'utf8')));
    const verified = await run('systemd-analyze', ['verify', path], { cwd: units, env: process.env });
    t.is(verified.code, 0, explain(`systemd-analyze verify ${unit}`, verified));
    // Unknown keys and bad values are only warned about: any word about the unit is a failure.
    t.false(verified.stderr.includes(unit), verified.stderr);
  }
});
