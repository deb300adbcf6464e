/** TCP ports for `dtps up`: is one free, and a free one from the kernel. */
import { createServer } from 'node:net';

function listenOnce(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const got = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(got));
    });
  });
}

/** True when nothing listens on host:port (a listen there succeeds). */
export async function portIsFree(host: string, port: number): Promise<boolean> {
  return (await listenOnce(host, port)) !== undefined;
}

/** A port on `host` that was free a moment ago, never one of `avoid`. */
export async function freePortOn(host: string, avoid: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listenOnce(host, 0);
    if (port !== undefined && !avoid.includes(port)) return port;
  }
  throw new Error(`no free TCP port on ${host}`);
}
