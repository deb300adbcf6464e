/**
 * The exit codes of every dtps program (dtps, dtps-worker, dtps-coordinator,
 * dtps-tui), in one table. Scripts and service managers branch on them, so a
 * code never changes meaning.
 */
import { DtpsError, type ErrorCode } from './errors.js';
import { classifyRedisError } from './redis-errors.js';

export const ExitCode = {
  /** The program did what was asked (a daemon: stopped cleanly on a signal). */
  ok: 0,
  /**
   * The task ended unsuccessfully (`wait`, `submit --wait`: failed, expired,
   * cancelled, or not ended within the timeout), or an unexpected error.
   */
  unsuccessful: 1,
  /** Bad usage or input: unknown command or flag, invalid value or config, unknown task. */
  usage: 2,
  /** Redis could not be reached. */
  unavailable: 3,
  /** Redis answered but refused the command (OOM, NOPERM, READONLY, MISCONF, BUSY, LOADING…). */
  refused: 4,
  /** A daemon stopped at once on a second signal (128 + SIGINT, as shells report it). */
  forced: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Codes that mean "the input was not acceptable": exit 2. */
const BAD_INPUT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid_argument',
  'invalid_config',
  'not_found',
  'unknown_dependency',
  'dependency_cycle',
  'dependency_not_satisfied',
  'invalid_state',
  'deadline_passed',
]);

/** The exit code a program ends with on `err` (the one mapping every bin uses). */
export function exitCodeOf(err: unknown): ExitCode {
  switch (classifyRedisError(err)) {
    case 'unreachable':
      return ExitCode.unavailable;
    case 'refused':
    case 'transient':
      return ExitCode.refused;
    default:
      if (err instanceof DtpsError && BAD_INPUT.has(err.code)) return ExitCode.usage;
      return ExitCode.unsuccessful;
  }
}

/** The table as help text lines (`  4  Redis refused …`), for the programs' --help. */
export const EXIT_CODE_HELP: readonly string[] = [
  '  0  success',
  '  1  the task ended unsuccessfully (wait, submit --wait: failed, expired, cancelled,',
  '     or not ended within --timeout / --wait-timeout), or an unexpected error',
  '  2  bad usage or input: unknown command or flag, invalid value, unknown task id,',
  '     a task in the wrong state for cancel or retry',
  '  3  Redis unreachable (given up after 4 s)',
  '  4  Redis refused the command: OOM (out of memory), NOPERM (ACL), READONLY (a replica),',
  '     MISCONF (cannot persist), BUSY (a long script), LOADING…; the message says what to do',
];
