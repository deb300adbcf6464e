/**
 * Issue 16, point 8, through the real daemon: a monitor token that no
 * request could carry (only whitespace, or with a space inside) is a
 * configuration error at start-up — exit 2, naming monitor.token — before
 * anything connects (the Redis URL here answers nothing).
 */
import { execFile } from 'node:child_process';
import test from 'ava';
import { COORDINATOR_BIN } from './daemon.js';

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [COORDINATOR_BIN, '--redis', 'redis://127.0.0.1:1', ...args],
      { env: { ...process.env, ...env }, timeout: 30_000 },
      (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
    );
  });
}

for (const [label, args, env] of [
  ['--token " "', ['--monitor', '--token', ' '], {}],
  ['DTPS_API_TOKEN of spaces', ['--monitor'], { DTPS_API_TOKEN: '   ' }],
  ['--token with a space inside', ['--monitor', '--token', 'two words'], {}],
] as const) {
  test(`dtps-coordinator refuses ${label} at start-up: exit 2 naming monitor.token`, async (t) => {
    const r = await run([...args], { ...env });
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /monitor\.token/);
    t.notRegex(r.stderr, /cannot reach Redis/);
  });
}
