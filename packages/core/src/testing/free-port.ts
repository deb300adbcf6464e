/**
 * Free TCP ports on the loopback interface, for test servers. Never use a
 * fixed port in a test: files run in parallel.
 */
import { createServer } from 'node:net';

/** Ports this process has already handed out; never handed out twice. */
const handedOut = new Set<number>();

/** Highest port whose cluster bus port (port + 10000) is still a valid port. */
const MAX_CLUSTER_PORT = 65535 - 10000;

/** Asks the kernel for a port by listening on port 0 of 127.0.0.1, then closes. */
function probePort(port = 0): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address();
      const got = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(got));
    });
  });
}

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago (listen on port 0,
 * read the port, close). A port is handed out at most once per process, so two
 * servers started by the same test file never get the same port.
 *
 * Another process may still grab the port before it is used; callers that can
 * (like {@link RedisServer.start}) retry with a new port when the bind fails.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await probePort();
    if (port !== undefined && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: could not find a free TCP port on 127.0.0.1 after 100 attempts');
}

/**
 * Returns a free port `p` on 127.0.0.1 whose Redis Cluster bus port `p + 10000`
 * is a valid port and free too. Internal to the testing module.
 */
export async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await probePort();
    if (port === undefined || handedOut.has(port) || port > MAX_CLUSTER_PORT) continue;
    if (handedOut.has(port + 10000) || (await probePort(port + 10000)) === undefined) continue;
    handedOut.add(port);
    handedOut.add(port + 10000);
    return port;
  }
  throw new Error('freeClusterPort: no free port p with a free bus port p+10000 after 200 attempts');
}
