/**
 * Start-up cost, guarded without timing: a plain command must not load what
 * it does not use, and the launcher runs the bundle that `pnpm build` makes
 * (one file compiled from V8's code cache) instead of some 260 module files.
 * `dtps stats` runs as a real process with a preload that records every
 * module loaded (ES modules and CommonJS ones alike).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { uniquePrefix, useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { BIN, dtps, UNBUNDLED_BIN } from '../helpers/dtps.js';

const redis = useRedisServer(test);
const RECORDER = fileURLToPath(new URL('../helpers/record-modules.js', import.meta.url));
/** What `pnpm build` makes of the CLI; this file is dist/test/commands/startup.test.js. */
const BUNDLE = fileURLToPath(new URL('../../bundle/dtps.cjs', import.meta.url));

/** Runs `bin ...args` with the recorder; resolves with the exit code, stdout, stderr and the modules loaded. */
async function modulesOf(
  bin: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string; modules: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'dtps-startup-test-'));
  const file = join(dir, 'modules.txt');
  try {
    const child = spawn(process.execPath, ['--import', RECORDER, bin, ...args], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DTPS_REDIS_URL: redis.server.url,
        DTPS_PREFIX: uniquePrefix(),
        DTPS_TEST_MODULES_FILE: file,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    return {
      code,
      stdout,
      stderr,
      modules: [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Packages a plain command never needs (telemetry, the logger, the console's UI). */
const NOT_FOR_PLAIN_COMMANDS = [
  '@opentelemetry/api',
  '@opentelemetry/sdk-node',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/exporter-trace-otlp-http',
  '/pino/',
  '/ink/',
  '/react/',
];

test('dtps stats runs the bundle: no module file is loaded but the launcher, and the stats are right', async (t) => {
  const { code, stdout, stderr, modules } = await modulesOf(BIN, ['stats', '--json']);
  t.is(code, 0, stderr);
  t.like(JSON.parse(stdout), { queues: { default: { queued: 0 } } });
  // Built-in modules (node:net, ...) are part of Node itself, not files to find and read.
  // The launcher shows twice: as the ES module entry (a URL) and in the require cache (a path).
  const files = new Set(
    modules.filter((m) => !m.startsWith('node:')).map((m) => (m.startsWith('file:') ? fileURLToPath(m) : m)),
  );
  t.deepEqual([...files], [BIN]);
});

test("the bundle's code cache exists and V8 takes it (else every start compiles the bundle anew)", (t) => {
  const source = readFileSync(BUNDLE, 'utf8');
  const name = /\/\/# dtpsCodeCache=(\S+)\s*$/.exec(source)?.[1];
  t.truthy(name, 'the bundle names its cache');
  // The same function wrapper as bin/dtps.js's: V8 checks the source's length.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __dtpsImport) {${source}\n})`,
    { filename: BUNDLE, cachedData: readFileSync(join(dirname(BUNDLE), name!)) },
  );
  t.false(script.cachedDataRejected);
});

/** Packages a plain command never needs, as the bundle names its modules' paths. */
const NOT_IN_THE_BUNDLE = [
  '@opentelemetry/api',
  '@opentelemetry/sdk-node',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/exporter-trace-otlp-http',
  'pino',
  'ink',
  'react',
];

test('the bundle holds neither OpenTelemetry nor pino nor the console', (t) => {
  const source = readFileSync(BUNDLE, 'utf8');
  t.true(source.includes('node_modules/ioredis/built/Redis.js'), 'the bundle names the modules it holds');
  // The OpenTelemetry API and pino are required from @dtps/core's own folder when used.
  for (const name of NOT_IN_THE_BUNDLE)
    t.false(source.includes(`node_modules/${name}/`), `${name} is not bundled`);
});

test('unbundled, dtps stats loads neither OpenTelemetry (API or SDK), nor pino, nor the console, nor dtps up', async (t) => {
  const { code, stderr, modules } = await modulesOf(UNBUNDLED_BIN, ['stats']);
  t.is(code, 0, stderr);
  // The recorder works: what stats does need is in the list.
  t.true(
    modules.some((m) => m.includes('/ioredis/')),
    'ioredis recorded',
  );
  t.true(
    modules.some((m) => m.includes('/commands/stats.js')),
    'the stats command recorded',
  );
  for (const name of NOT_FOR_PLAIN_COMMANDS) {
    t.deepEqual(
      modules.filter((m) => m.includes(name)),
      [],
      `${name} is not loaded`,
    );
  }
  t.deepEqual(
    modules.filter((m) => m.includes('/up/session.js')),
    [],
    "dtps up's session is not loaded",
  );
});

test('through the bundle, a dtps.config.mjs is imported as before, and nothing is printed on stderr', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dtps-startup-mjs-'));
  try {
    writeFileSync(join(dir, 'dtps.config.mjs'), "export default { prefix: 'from-mjs' };\n");
    // HOME is the folder too, so the search for a config file ends there.
    const r = await dtps(['config', '--json'], { cwd: dir, env: { HOME: dir } });
    t.is(r.code, 0, r.stderr);
    t.is(r.stderr, '');
    const settings = r.json<{ settings: Record<string, { value: unknown; source: string }> }>().settings;
    t.is(settings.prefix?.value, 'from-mjs');
    t.regex(settings.prefix?.source ?? '', /dtps\.config\.mjs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
