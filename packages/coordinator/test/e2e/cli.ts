/**
 * Runs the built `dtps` command (the sibling cli package) as a real child
 * process, with only the environment given here (no DTPS_* of the shell).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled CLI: this file is packages/coordinator/dist/test/e2e/cli.js. */
export const CLI_BIN = fileURLToPath(new URL('../../../../cli/dist/src/bin.js', import.meta.url));

/** An empty working dir, so that no .dtpsrc.yaml is found. */
const CWD = mkdtempSync(join(tmpdir(), 'dtps-cli-e2e-'));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `dtps ...args`; resolves when it exits (never rejects on a non-zero exit), killed after 30 s. */
export function dtps(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { cwd: CWD, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
