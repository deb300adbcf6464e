/**
 * The exit codes of `dtps`: the table every dtps program shares (see
 * @dtps/core exit-codes and docs/errors.md). Scripts branch on them, so they
 * never change meaning.
 */
export { ExitCode } from '@dtps/core';
