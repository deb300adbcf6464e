import { EXIT_CODE_HELP } from '@dtps/core';
import type { Command } from './commands/command.js';
import { COMMANDS } from './commands/index.js';
import { flagHelpLines, GLOBAL_FLAGS } from './flags.js';

/** Output, exit codes and configuration: the same for every command. */
const CONVENTIONS = [
  'Output',
  '  Readable text by default. With --json, each result is one JSON object on one line',
  '  of standard output. Errors are always one line on standard error (`dtps: …`); with',
  '  --json the error is also printed on standard output as',
  '  {"error":{"code":"…","message":"…","field":"…"}} (code as in @dtps/core errors).',
  '',
  'Exit codes',
  ...EXIT_CODE_HELP,
  '  The same for dtps-worker, dtps-coordinator and dtps-tui; docs/errors.md says more.',
  '',
  'Configuration',
  '  defaults < config file (.dtpsrc.yaml & co.) < DTPS_* environment < flags.',
  '  --redis and DTPS_REDIS_URL take redis://[user:password@]host[:port][/db], rediss:// (TLS),',
  '  host:port, redis+sentinel://host,host/mastername and redis+cluster://host,host.',
  '  Flags of the Go original work with one dash too: -redis localhost:6379 -priority 10.',
  '  DTPS_DEBUG=1 adds the stack trace to an error.',
];

/** Usage and the command list: the help's head, also shown after a usage error. */
export function shortUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => usageOf(c).length));
  return [
    'Usage',
    '  $ dtps <command> [options]',
    '',
    'Commands',
    ...COMMANDS.map((c) => `  ${usageOf(c).padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** The help of `dtps --help`, given to meow. */
export function mainHelp(): string {
  return [
    'dtps: submit, inspect and manage the tasks of dtps, a distributed task queue on Redis.',
    '',
    shortUsage(),
    '',
    'Options of every command',
    ...flagHelpLines(GLOBAL_FLAGS),
    '',
    'Options of submit, wait and list: see dtps submit --help, dtps wait --help, dtps list --help.',
    '',
    ...CONVENTIONS,
    '',
    'Examples',
    '  $ dtps submit',
    '  $ dtps submit --type sleep --payload \'{"ms":2000}\' --priority 10 --wait',
    '  $ dtps submit --file tasks.jsonl --json',
    '  $ dtps status 01jh5x… --json',
    '  $ dtps wait 01jh5x… --timeout 30000',
    '  $ dtps list --state failed',
    '  $ dtps --redis redis://:secret@redis.internal:6379 stats --json',
  ].join('\n');
}

/** The help of `dtps <command> --help`. */
export function commandHelp(command: Command): string {
  const own =
    command.flags.length === 0 ? [] : ['Options', ...flagHelpLines(command.flags, command.flagHelp), ''];
  return [
    command.summary,
    '',
    'Usage',
    `  $ dtps ${usageOf(command)} [options]`,
    '',
    ...(command.details === undefined ? [] : [...command.details.map((l) => (l === '' ? '' : `  ${l}`)), '']),
    ...own,
    'Options of every command',
    ...flagHelpLines(GLOBAL_FLAGS),
    '',
    'Examples',
    ...command.examples.map((e) => `  $ ${e}`),
    '',
    'Output, exit codes and configuration: see dtps --help.',
  ].join('\n');
}

function usageOf(command: Command): string {
  return [command.name, ...command.args, ...(command.optionalArgs ?? []).map((a) => `[${a}]`)].join(' ');
}
