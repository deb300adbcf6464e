#!/usr/bin/env node
/**
 * `dtps`: the command line of dtps. Parses flags with meow and hands over to
 * `run`, which dispatches to one module per command (src/commands/).
 *
 * No top-level await: `pnpm build` also bundles this entry into one
 * CommonJS file (scripts/bundle.mjs), which bin/dtps.js runs for a fast
 * start; CommonJS has no top-level await.
 */
import process from 'node:process';
import meow from 'meow';
import { meowFlags, normalizeArgv } from './flags.js';
import { mainHelp } from './help.js';
import { run } from './run.js';

// Output that can no longer be written is not our error: a reader that went
// away (`dtps list --json | head -1`: EPIPE) or a terminal that closed (EIO).
// Taken as a hang-up, once: `dtps up` then stops its daemons in order; any
// other command just ends.
let outputLost = false;
function onOutputError(err: NodeJS.ErrnoException): void {
  if (outputLost) return;
  outputLost = true;
  if (process.listenerCount('SIGHUP') > 0) process.kill(process.pid, 'SIGHUP');
  else process.exit(process.exitCode ?? (err.code === 'EPIPE' ? 0 : 1));
}
process.stdout.on('error', onOutputError);
process.stderr.on('error', onOutputError);

// No signal handlers: Ctrl-C during `dtps wait` ends the process (exit 130),
// and there is nothing to hand back, since the CLI never holds a task.

async function main(): Promise<never> {
  const code = await run(normalizeArgv(process.argv.slice(2)), {
    parse: (argv) =>
      meow(mainHelp(), {
        // Only the URL: meow finds package.json (for --version) from it, and the
        // bundle gives each module its original URL and nothing else of its meta.
        importMeta: { url: import.meta.url } as ImportMeta,
        argv: [...argv],
        flags: meowFlags(),
        // `run` prints help and version itself (per command, and to the right stream).
        autoHelp: false,
        autoVersion: false,
        // Absent switches stay undefined, so that "given" can be told from "false".
        booleanDefault: undefined,
        // `run` reports unknown flags itself, in one line, naming the flag as typed.
        allowUnknownFlags: true,
      }),
    streams: process,
    environment: { cwd: process.cwd(), env: process.env, stdin: process.stdin },
  });

  // `run` has closed everything it opened. Exit as soon as the output is
  // flushed rather than when the event loop drains: after a failed connect,
  // ioredis leaves a 2 s timer behind (its socket disconnect timeout), and
  // "Redis unreachable" must not take 2 s longer to say.
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => stream.write('', () => resolve()));
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

void main();
