import { usageError } from '../errors.js';
import { flagText, intFlag } from '../flags.js';
import type { Command } from './command.js';

function checkedInt(raw: string | undefined, name: 'port' | 'workers', min: number, max: number) {
  const value = intFlag(raw, name);
  if (value !== undefined && (value < min || value > max)) {
    throw usageError(`${flagText(name)}: must be between ${min} and ${max}, got ${value}`, name);
  }
  return value;
}

/** `dtps up`: everything of dtps on this machine, in one command. */
export const up: Command = {
  name: 'up',
  args: [],
  summary: 'Run it all here: Redis if none answers, a coordinator with the monitor, a worker, the console',
  flags: ['demo', 'tui', 'port', 'workers', 'jsonLogs'],
  writesUpState: true,
  flagHelp: {
    tui: 'The console in the foreground (default on a terminal); --no-tui: status lines instead',
  },
  details: [
    'Uses the Redis at the configured URL when it answers PING within 1 s; otherwise starts',
    'redis-server on a free port, with its data (append-only file) in .dtps/redis here.',
    'Then starts dtps-coordinator with the monitor (--port, default 7420; a free port when',
    'that one is taken), one dtps-worker with the demo handlers and work stealing, with --demo',
    'a trickle of demo tasks, and the console (dtps-tui). The daemons log to .dtps/logs/.',
    '',
    'Without a terminal, or with --no-tui, it prints where everything is and a status line every',
    '5 s (--json: one JSON object a line: "ready", then "status", then "stopped").',
    '',
    'Other programs run in this folder (dtps, dtps-tui, dtps-worker, dtps-coordinator) use the',
    'same Redis by themselves: up writes its URL to .dtps/up.json, and names the line to paste',
    'elsewhere (export DTPS_REDIS_URL=…). --redis and DTPS_REDIS_URL still win over it.',
    '',
    'A worker that exits with code 0 (drained with dtps drain, or stopped by an operator) is',
    'reported, and the rest keeps running.',
    '',
    'Ctrl-C, SIGTERM or quitting the console stops everything in order: demo tasks, console,',
    'worker (running tasks may finish), coordinator, and the redis-server if it started one.',
    'Exit 0; 1 when a daemon died on its way (its log tail is shown); 3 when no Redis answers',
    'and redis-server is not installed.',
  ],
  examples: [
    'dtps up',
    'dtps up --demo',
    'dtps up --no-tui --port 8080',
    'dtps up --redis redis://127.0.0.1:6380 --workers 8',
  ],
  async run(ctx) {
    const port = checkedInt(ctx.flags.port, 'port', 1, 65535);
    const workers = checkedInt(ctx.flags.workers, 'workers', 0, 10_000);
    const terminal =
      process.stdout.isTTY === true && (ctx.environment.stdin as { isTTY?: boolean }).isTTY === true;
    if (ctx.flags.tui === true && !terminal) ctx.out.note('not on a terminal: running without the console');
    // Loaded here, not with the command table: the other commands never need it.
    const { UpSession } = await import('../up/session.js');
    const session = new UpSession(ctx, {
      ...(port === undefined ? {} : { port }),
      ...(workers === undefined ? {} : { workers }),
      demo: ctx.flags.demo === true,
      console: ctx.flags.tui !== false && ctx.flags.json !== true && terminal,
      jsonLogs: ctx.flags.jsonLogs === true,
    });
    return session.run();
  },
};
