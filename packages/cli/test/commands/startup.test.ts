/**
 * Start-up cost, guarded without timing: a plain command must not load what
 * it does not use. `dtps stats` runs as a real process with a preload that
 * records every module loaded (ES modules and CommonJS ones alike).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniquePrefix, useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { BIN } from '../helpers/dtps.js';

const redis = useRedisServer(test);
const RECORDER = fileURLToPath(new URL('../helpers/record-modules.js', import.meta.url));

/** Runs `dtps ...args` with the recorder; resolves with the exit code, stderr and the modules loaded. */
async function modulesOf(
  args: readonly string[],
): Promise<{ code: number | null; stderr: string; modules: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'dtps-startup-test-'));
  const file = join(dir, 'modules.txt');
  try {
    const child = spawn(process.execPath, ['--import', RECORDER, BIN, ...args], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DTPS_REDIS_URL: redis.server.url,
        DTPS_PREFIX: uniquePrefix(),
        DTPS_TEST_MODULES_FILE: file,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    return { code, stderr, modules: [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))] };
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

test('dtps stats loads neither OpenTelemetry (API or SDK), nor pino, nor the console, nor dtps up', async (t) => {
  const { code, stderr, modules } = await modulesOf(['stats']);
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
