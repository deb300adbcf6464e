/**
 * A throwaway redis-server for the connection tests, on a free loopback port.
 * Kept local on purpose: these tests must not depend on the shared harness.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** A running redis-server and how to stop it. */
export interface SpawnedRedis {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A port that was free a moment ago: listen on port 0, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server` without persistence on 127.0.0.1 and waits until it
 * answers PING. `extraArgs` go to the command line (`--requirepass x`).
 */
export async function spawnRedis(extraArgs: string[] = []): Promise<SpawnedRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', ...extraArgs],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntilListening(port, child);
  return {
    port,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function waitUntilListening(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    // Accepting a TCP connection is enough: redis-server listens only once ready.
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`redis-server on port ${port} did not start within 5 s`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
