/** Runs a command as a real child process to its end, with its output kept. */
import { spawn } from 'node:child_process';

/** A finished command. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

/** Where and how {@link runChild} runs a command. */
export interface RunChildOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to standard input, which is then closed; without it, standard input is /dev/null. */
  input?: string;
}

/** Runs a command to its end; never rejects on a non-zero exit. */
export function runChild(command: string, args: readonly string[], opts: RunChildOptions): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
    child.stdin?.end(opts.input);
  });
}
