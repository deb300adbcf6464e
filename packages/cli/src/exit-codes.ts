/**
 * The exit codes of `dtps` (DESIGN.md §6). Scripts branch on them, so they
 * never change meaning.
 */
export const ExitCode = {
  /** The command did what was asked. */
  ok: 0,
  /**
   * The task ended unsuccessfully (`wait`, `submit --wait`: failed, expired,
   * cancelled, or not ended within the timeout), or an unexpected error.
   */
  unsuccessful: 1,
  /** Bad usage or input: unknown command or flag, invalid value, unknown task. */
  usage: 2,
  /** Redis could not be reached. */
  unavailable: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
