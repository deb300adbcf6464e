/**
 * @dtps/cli — the `dtps` command as a library: `run` executes one command
 * line (the bin is a thin wrapper around it), with the commands, exit codes
 * and output conventions it uses.
 */
export type { Command } from './commands/command.js';
export { COMMANDS } from './commands/index.js';
export { CONNECT_TIMEOUT_MS, CommandContext, type Environment } from './context.js';
export { type ReportedError, reportOf } from './errors.js';
export { ExitCode } from './exit-codes.js';
export { type CliFlags, FLAGS, normalizeArgv } from './flags.js';
export { Output, type Streams } from './output.js';
export { type ParsedArgs, type RunOptions, run } from './run.js';
