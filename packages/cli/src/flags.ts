import { usageError } from './errors.js';

/** One flag of the command line: its meow definition and its help. */
interface FlagSpec {
  type: 'string' | 'boolean';
  isMultiple?: boolean;
  shortFlag?: string;
  /** The value's placeholder in the help (`URL`, `MS`); none for a switch. */
  arg?: string;
  help: string;
  /** Left out of the help (kept for users of the Go original). */
  hidden?: boolean;
}

/**
 * Every flag of every command, keyed by meow's camelCase name (given on the
 * command line in kebab case). Numbers are read as strings and parsed by
 * `intFlag`, so that `--priority abc` is refused naming the flag instead of
 * becoming NaN. No defaults here: defaults come from the config (for
 * `--redis`, `--prefix`, `--queue`) or from the core (task fields).
 */
export const FLAGS = {
  // Every command.
  redis: {
    type: 'string',
    arg: 'URL',
    help: 'Redis to use (env DTPS_REDIS_URL; default redis://127.0.0.1:6379)',
  },
  config: {
    type: 'string',
    arg: 'FILE',
    help: 'Read this config file instead of searching for .dtpsrc.yaml & co.',
  },
  prefix: { type: 'string', arg: 'P', help: 'Redis key prefix (env DTPS_PREFIX; default dtps)' },
  queue: {
    type: 'string',
    arg: 'Q',
    help: 'Queue (env DTPS_QUEUE; default "default"); by id, all queues are searched unless given',
  },
  json: { type: 'boolean', help: 'Print JSON, one object a line, for programs' },
  help: { type: 'boolean', shortFlag: 'h', help: 'Show help; `dtps <command> --help` for one command' },
  version: { type: 'boolean', help: 'Show the version' },
  // The Go original's `-command submit`.
  command: { type: 'string', arg: 'NAME', help: 'The command, Go-style (-command submit)', hidden: true },
  // submit
  type: { type: 'string', arg: 'T', help: 'Handler name (default noop, a demo handler that does nothing)' },
  payload: { type: 'string', arg: 'JSON', help: `The task's input, as JSON: '{"ms":500}'` },
  priority: { type: 'string', arg: 'N', help: 'Priority 1-10, 10 runs first (default 1)' },
  deadline: {
    type: 'string',
    arg: 'TIME',
    help: 'RFC 3339 time by which it must finish: 2030-01-22T15:04:05Z',
  },
  retries: { type: 'string', arg: 'N', help: 'Retries after a failed first attempt, 0-100 (default 3)' },
  timeout: { type: 'string', arg: 'MS', help: 'Time limit of one attempt, in ms' },
  delay: { type: 'string', arg: 'MS', help: 'Run no earlier than this many ms from now' },
  dependsOn: {
    type: 'string',
    isMultiple: true,
    arg: 'ID,ID',
    help: 'Tasks (same queue) that must succeed first',
  },
  idempotencyKey: {
    type: 'string',
    arg: 'K',
    help: 'A second submit with the same key returns the first task',
  },
  dedupTtl: {
    type: 'string',
    arg: 'MS',
    help: 'With --idempotency-key: the key lapses after this many ms',
  },
  debounce: {
    type: 'string',
    arg: 'MODE',
    help: 'With --idempotency-key: replace|drop while the first task waits',
  },
  group: {
    type: 'string',
    arg: 'G',
    help: 'The task group (a tenant, an account); with bulk, queue limit and schedule, which group',
  },
  wait: { type: 'boolean', help: 'Wait until the task has ended; exit as `dtps wait` does' },
  waitTimeout: { type: 'string', arg: 'MS', help: 'With --wait: stop waiting after this many ms (exit 1)' },
  file: {
    type: 'string',
    arg: 'FILE',
    help: 'Submit one task spec a line (JSON Lines); - reads standard input',
  },
  // list
  state: { type: 'string', arg: 'S', help: 'Only tasks in this state' },
  limit: { type: 'string', arg: 'N', help: 'Page size, 1-1000 (default 50)' },
  cursor: { type: 'string', arg: 'C', help: 'Next page: the cursor the previous page printed' },
  // list (search)
  where: {
    type: 'string',
    arg: 'FIELD=VALUE',
    help: 'Only tasks whose payload has VALUE (JSON, else a string) at FIELD (a dot path: user.id)',
  },
  // bulk
  before: { type: 'string', arg: 'MS', help: 'Only tasks created before this time (ms since the epoch)' },
  after: { type: 'string', arg: 'MS', help: 'Only tasks created after this time (ms since the epoch)' },
  dryRun: { type: 'boolean', help: 'Count the tasks that match; change nothing' },
  // queue limit
  rate: { type: 'string', arg: 'N', help: 'At most N starts in any window of --per ms' },
  per: { type: 'string', arg: 'MS', help: 'The window of --rate, in ms' },
  concurrency: { type: 'string', arg: 'N', help: 'At most N tasks running at once, across the fleet' },
  eachGroup: { type: 'boolean', help: 'The limit holds for every group separately' },
  clear: { type: 'boolean', help: 'Remove the limit (its held-back tasks go back to the queue)' },
  // cancel
  reason: { type: 'string', arg: 'TEXT', help: 'Why, stored with the task (default cancelled)' },
  // workers, scale
  all: { type: 'boolean', help: 'Also workers that stopped beating (their last heartbeat)' },
  size: { type: 'string', arg: 'N', help: 'Pool size: slots that run tasks at once' },
  min: { type: 'string', arg: 'N', help: 'Lower bound of the autoscaler' },
  max: { type: 'string', arg: 'N', help: 'Upper bound of the autoscaler' },
  // scripts
  prune: {
    type: 'boolean',
    help: 'Delete the libraries of other dtps versions (they reload their own if still running)',
  },
  // schedule add
  cron: {
    type: 'string',
    arg: 'EXPR',
    help: "Cron expression: 5 fields (minute first) or 6 (second first), e.g. '0 9 * * MON-FRI'",
  },
  tz: { type: 'string', arg: 'ZONE', help: 'IANA time zone of --cron (default UTC), e.g. Europe/Berlin' },
  every: { type: 'string', arg: 'MS', help: 'Fixed interval in ms (at least 1000), aligned to the epoch' },
  missed: {
    type: 'string',
    arg: 'POLICY',
    help: 'Runs missed while no coordinator led: skip, once (default) or catch-up:N',
  },
  overlap: {
    type: 'string',
    arg: 'POLICY',
    help: 'allow (default), or skip a run while the previous run has not ended',
  },
  jitter: { type: 'string', arg: 'MS', help: 'Start each run up to this many ms after its due time' },
  deadlineOffset: { type: 'string', arg: 'MS', help: "Each run's deadline, in ms after its due time" },
  // up
  demo: { type: 'boolean', help: 'Also submit a trickle of demo tasks, a few a second' },
  tui: { type: 'boolean', help: 'Run the console in the foreground (--no-tui: no console)' },
  port: { type: 'string', arg: 'PORT', help: 'Port of the HTTP monitor (default 7420)' },
  workers: { type: 'string', arg: 'N', help: "The worker's initial pool size (default 5)" },
  jsonLogs: { type: 'boolean', help: 'The daemons log JSON lines instead of readable text' },
} satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

/** The flags as parsed: strings, booleans and, for --depends-on, lists. */
export interface CliFlags {
  redis?: string;
  config?: string;
  prefix?: string;
  queue?: string;
  json?: boolean;
  help?: boolean;
  version?: boolean;
  command?: string;
  type?: string;
  payload?: string;
  priority?: string;
  deadline?: string;
  retries?: string;
  timeout?: string;
  delay?: string;
  dependsOn?: string[];
  idempotencyKey?: string;
  dedupTtl?: string;
  debounce?: string;
  group?: string;
  rate?: string;
  per?: string;
  concurrency?: string;
  eachGroup?: boolean;
  clear?: boolean;
  wait?: boolean;
  waitTimeout?: string;
  file?: string;
  state?: string;
  limit?: string;
  cursor?: string;
  where?: string;
  before?: string;
  after?: string;
  dryRun?: boolean;
  reason?: string;
  all?: boolean;
  size?: string;
  min?: string;
  max?: string;
  prune?: boolean;
  cron?: string;
  tz?: string;
  every?: string;
  missed?: string;
  overlap?: string;
  jitter?: string;
  deadlineOffset?: string;
  demo?: boolean;
  tui?: boolean;
  port?: string;
  workers?: string;
  jsonLogs?: boolean;
}

/** Flags that every command takes. */
export const GLOBAL_FLAGS: readonly FlagName[] = [
  'redis',
  'config',
  'prefix',
  'queue',
  'json',
  'help',
  'version',
  'command',
];

/** `priority` → `--priority`, `dependsOn` → `--depends-on`. */
export function flagText(name: FlagName): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

const BY_KEBAB = new Map<string, FlagName>(
  (Object.keys(FLAGS) as FlagName[]).map((name) => [flagText(name).slice(2), name]),
);

/**
 * Prepares argv for the parser:
 * - the Go original's single-dash long flags (`-priority 10`,
 *   `-redis=localhost:6379`) become double-dash, so that its users' habits
 *   and scripts keep working: tokens of a dash and two or more letters, not
 *   negative numbers;
 * - `--file -` becomes `--file=-`: the parser would take a lone `-` for an
 *   argument, not for the flag's value (standard input).
 * Nothing after a `--` separator is touched.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const long = /^-[A-Za-z][A-Za-z-]+(=|$)/.test(token) ? `-${token}` : token;
    const name = BY_KEBAB.get(long.slice(2));
    if (argv[i + 1] === '-' && name !== undefined && FLAGS[name].type === 'string') {
      out.push(`${long}=-`);
      i += 1;
    } else {
      out.push(long);
    }
  }
  return out;
}

/**
 * The flags written on the command line, by name, as typed. Throws a usage
 * error for a flag no command knows. Read from argv rather than from meow's
 * result because meow camel-cases unknown flags, and the message should
 * show the flag as the user wrote it.
 */
export function givenFlags(argv: readonly string[]): FlagName[] {
  const given: FlagName[] = [];
  for (const token of argv) {
    if (token === '--') break;
    if (!token.startsWith('-') || /^-\d|^-\.\d|^-$/.test(token)) continue;
    if (token.startsWith('--')) {
      const written = token.slice(2).split('=')[0] ?? '';
      const name = BY_KEBAB.get(written) ?? BY_KEBAB.get(written.replace(/^no-/, ''));
      if (name === undefined) throw usageError(`unknown flag --${written}; see dtps --help`, `--${written}`);
      given.push(name);
    } else {
      // Single-dash short flags: only -h exists.
      for (const letter of token.slice(1).split('=')[0] ?? '') {
        if (letter !== 'h') throw usageError(`unknown flag -${letter}; see dtps --help`, `-${letter}`);
        given.push('help');
      }
    }
  }
  return given;
}

/**
 * Parses an integer flag strictly (no `1e3`, no `12abc`). Range checks are
 * the core's, which knows the limits; this only makes sure it gets a number.
 * `field` is the task or option field the flag sets (`maxRetries` for
 * `--retries`), reported as the error's `field` like the core does.
 */
export function intFlag(raw: string | undefined, name: FlagName, field: string = name): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw usageError(`${flagText(name)}: must be an integer, got ${JSON.stringify(raw)}`, field);
  }
  return Number(text);
}

/** The flags as meow takes them: type, multiplicity and short name only. */
export function meowFlags(): Record<
  FlagName,
  { type: 'string' | 'boolean'; isMultiple?: boolean; shortFlag?: string }
> {
  const out = {} as Record<
    FlagName,
    { type: 'string' | 'boolean'; isMultiple?: boolean; shortFlag?: string }
  >;
  for (const [name, spec] of Object.entries(FLAGS) as [FlagName, FlagSpec][]) {
    out[name] = {
      type: spec.type,
      ...(spec.isMultiple ? { isMultiple: true } : {}),
      ...(spec.shortFlag === undefined ? {} : { shortFlag: spec.shortFlag }),
    };
  }
  return out;
}

/** `  --redis URL    Redis to use …` lines for the help, aligned. */
export function flagHelpLines(
  names: readonly FlagName[],
  overrides: Partial<Record<FlagName, string>> = {},
): string[] {
  const specs = names
    .map((name) => [name, FLAGS[name] as FlagSpec] as const)
    .filter(([, spec]) => !spec.hidden);
  const left = specs.map(([name, spec]) => {
    const short = spec.shortFlag === undefined ? '' : `, -${spec.shortFlag}`;
    return `${flagText(name)}${short}${spec.arg === undefined ? '' : ` ${spec.arg}`}`;
  });
  const width = Math.max(0, ...left.map((l) => l.length));
  return specs.map(
    ([name, spec], i) => `  ${(left[i] ?? '').padEnd(width)}  ${overrides[name] ?? spec.help}`,
  );
}
