/**
 * Driving the real `dtps-tui` in tmux: a tmux server of the test's own
 * (its own socket), keys in with `send-keys`, the screen back with
 * `capture-pane`, and waits on what the screen shows.
 */
import { execFileSync } from 'node:child_process';

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class Tmux {
  readonly socket = `dtps-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly session = 'tui';

  constructor(
    readonly columns = 100,
    readonly rows = 30,
  ) {}

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  start(command: string): void {
    this.run(
      'new-session',
      '-d',
      '-s',
      this.session,
      '-x',
      String(this.columns),
      '-y',
      String(this.rows),
      command,
    );
    this.run('set-option', '-t', this.session, 'remain-on-exit', 'on');
  }

  /** Keys by tmux name (Enter, Tab, Escape) or, with `literal`, text as typed. */
  keys(keys: string, literal = false): void {
    this.run('send-keys', '-t', this.session, ...(literal ? ['-l', keys] : [keys]));
  }

  screen(): string {
    return this.run('capture-pane', '-p', '-t', this.session);
  }

  kill(): void {
    try {
      this.run('kill-server');
    } catch {
      // already gone
    }
  }
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls the screen until `re` matches; fails with the last screen. Each key
 * a test sends should wait for the screen it leads to before the next goes
 * (keys back to back can reach the console in one read).
 */
export async function screenUntil(tmux: Tmux, re: RegExp, what: string, timeoutMs = 20_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    last = tmux.screen();
    if (re.test(last)) return last;
    await sleep(100);
  }
  throw new Error(`the console never showed ${what} (${re}); last screen:\n${last}`);
}
