import { createServer } from 'node:net';
import test from 'ava';
import { freePort } from '../../src/testing/index.js';

test('freePort hands out distinct ports that can be listened on', async (t) => {
  const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
  t.is(new Set(ports).size, ports.length);
  for (const port of ports) {
    t.true(Number.isInteger(port) && port > 0 && port < 65536);
  }
  const first = ports[0]!;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: first }, resolve);
  });
  t.is((server.address() as { port: number }).port, first);
  await new Promise((resolve) => server.close(resolve));
});
