import type { CommandContext } from '../context.js';
import type { ExitCode } from '../exit-codes.js';
import type { FlagName } from '../flags.js';

/** One `dtps` command: what its help shows, and what it does. */
export interface Command {
  name: string;
  /** Placeholders of its positional arguments, in order (`ID`); all required. */
  args: readonly string[];
  /** Placeholders of positional arguments after those, which may be left out. */
  optionalArgs?: readonly string[];
  /** One line for the command list. */
  summary: string;
  /** Flags besides the global ones. */
  flags: readonly FlagName[];
  /** Help of a flag that means something else here (`--timeout` of wait). */
  flagHelp?: Partial<Record<FlagName, string>>;
  /** Extra help paragraphs, one string a line. */
  details?: readonly string[];
  /** Example command lines, without the `$ `. */
  examples: readonly string[];
  /** True for `dtps up`: it writes `.dtps/up.json`, so it never reads its Redis URL from there. */
  writesUpState?: boolean;
  /** Does the work; resolves with the exit code. Errors are thrown and reported by the caller. */
  run(ctx: CommandContext): Promise<ExitCode>;
}
