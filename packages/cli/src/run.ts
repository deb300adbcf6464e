import type { Command } from './commands/command.js';
import { COMMANDS } from './commands/index.js';
import { CommandContext, type Environment } from './context.js';
import { reportOf, usageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { type CliFlags, FLAGS, type FlagName, flagText, GLOBAL_FLAGS, givenFlags } from './flags.js';
import { commandHelp, mainHelp, shortUsage } from './help.js';
import { Output, type Streams } from './output.js';

/** What the bin's flag parser (meow) gives back. */
export interface ParsedArgs {
  input: readonly (string | number)[];
  flags: Record<string, unknown>;
  pkg: { version?: string };
}

/** What `run` needs from the process. */
export interface RunOptions {
  /** Parses argv (meow in the bin); may throw for a flag given twice. */
  parse: (argv: readonly string[]) => ParsedArgs;
  streams: Streams;
  environment: Environment;
}

/**
 * Runs one `dtps` invocation: parses and checks the command line, runs the
 * command, reports any error as one line, closes the connection, and
 * resolves with the exit code. Never throws and never exits the process:
 * the bin does, once the output is flushed.
 */
export async function run(argv: readonly string[], options: RunOptions): Promise<ExitCode> {
  // Known before parsing, so that even a parse error is printed as JSON.
  const early = new Output(argv.includes('--json'), options.streams);
  let command: Command;
  let ctx: CommandContext;
  try {
    const parsed = parse(options, argv);
    const flags = parsed.flags as CliFlags;
    const out = new Output(flags.json === true, options.streams);
    if (flags.version) {
      out.raw(parsed.pkg.version ?? 'unknown');
      return ExitCode.ok;
    }
    const input = parsed.input.map(String);
    const name = flags.command ?? input[0];
    const args = flags.command === undefined ? input.slice(1) : input;
    if (name === undefined) {
      if (flags.help) {
        out.raw(mainHelp());
        return ExitCode.ok;
      }
      throw withUsage(usageError('a command is missing: dtps <command> [options]', 'command'));
    }
    // The command first: `dtps -command run -role worker` (Go) is told about
    // dtps-worker rather than about an unknown -role.
    const found = COMMANDS.find((c) => c.name === name);
    if (found === undefined) throw withUsage(usageError(unknownCommandMessage(name), 'command'));
    command = found;
    if (flags.help) {
      out.raw(commandHelp(command));
      return ExitCode.ok;
    }
    const given = givenFlags(argv);
    checkValues(flags, given);
    checkFlagsApply(command, given);
    checkArgs(command, args);
    ctx = new CommandContext(args, flags, out, options.environment, { upState: !command.writesUpState });
  } catch (err) {
    const report = reportOf(err);
    early.error(report);
    if (err instanceof Error && USAGE in err)
      early.rawError(`\n${shortUsage()}\n\nSee dtps --help for options.`);
    return report.exit;
  }
  try {
    return await command.run(ctx);
  } catch (err) {
    const report = reportOf(err, await ctx.redisUrl());
    ctx.out.error(report);
    if (options.environment.env.DTPS_DEBUG && err instanceof Error && err.stack) {
      options.streams.stderr.write(`${err.stack}\n`);
    }
    return report.exit;
  } finally {
    await ctx.close();
  }
}

/** Marks an error after which the usage is shown (on stderr, below the error line). */
const USAGE = Symbol('show usage');

function withUsage(err: Error): Error {
  return Object.assign(err, { [USAGE]: true });
}

/** meow throws a plain Error for a flag given twice: that is a usage error. */
function parse(options: RunOptions, argv: readonly string[]): ParsedArgs {
  try {
    return options.parse(argv);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const twice = /The flag (--[\w-]+) can only be set once/.exec(text);
    throw usageError(twice ? `${twice[1]} is given more than once` : text);
  }
}

/** A string flag written without a value (`--type` at the end) parses as ''. */
function checkValues(flags: CliFlags, given: readonly FlagName[]): void {
  for (const name of given) {
    const value = (flags as Record<string, unknown>)[name];
    const empty = value === '' || (Array.isArray(value) && value.some((v) => v === ''));
    if (FLAGS[name].type === 'string' && empty) throw usageError(`${flagText(name)} needs a value`, name);
  }
}

function checkFlagsApply(command: Command, given: readonly FlagName[]): void {
  for (const name of given) {
    if (GLOBAL_FLAGS.includes(name) || command.flags.includes(name)) continue;
    throw usageError(
      `${flagText(name)} does not apply to dtps ${command.name}; see dtps ${command.name} --help`,
      name,
    );
  }
}

/** How an error names a missing positional argument. */
const ARG_WORDS: Readonly<Record<string, string>> = {
  ID: 'a task id',
  WORKER: 'a worker id',
  ACTION: 'an action',
  QUEUE: 'a queue name',
};

function checkArgs(command: Command, args: readonly string[]): void {
  if (args.length < command.args.length) {
    const usage = ['dtps', command.name, ...command.args].join(' ');
    const missing = command.args[args.length]!;
    throw usageError(
      `dtps ${command.name} needs ${ARG_WORDS[missing] ?? missing}: ${usage}`,
      missing.toLowerCase(),
    );
  }
  const most = command.args.length + (command.optionalArgs?.length ?? 0);
  if (args.length > most) {
    const extra = args[most];
    throw usageError(
      `unexpected argument ${JSON.stringify(extra)} for dtps ${command.name}; see dtps ${command.name} --help`,
    );
  }
}

function unknownCommandMessage(name: string): string {
  const names = COMMANDS.map((c) => c.name).join(', ');
  // The Go original's `-command run -role worker|coordinator`.
  if (name === 'run') {
    return `unknown command "run": start workers with dtps-worker and the coordinator with dtps-coordinator (commands: ${names})`;
  }
  return `unknown command ${JSON.stringify(name)} (commands: ${names})`;
}
