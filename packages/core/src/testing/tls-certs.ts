/**
 * Throwaway TLS certificates for tests: a self-signed CA and a server
 * certificate it signed, for 127.0.0.1 and localhost, made with the
 * `openssl` command in a temp dir.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { RedisServer, type RedisServerOptions } from './redis-server.js';

const run = promisify(execFile);

/** The files {@link makeTlsCerts} wrote (PEM). */
export interface TlsCerts {
  /** The temp dir holding them; {@link TlsCerts.remove} deletes it. */
  dir: string;
  /** The CA certificate: what a client must trust. */
  ca: string;
  /** The server certificate (subjectAltName IP:127.0.0.1, DNS:localhost) and its key. */
  cert: string;
  key: string;
  remove(): Promise<void>;
}

/** Makes a CA and a server certificate signed by it, valid for two days. Needs `openssl` on the PATH. */
export async function makeTlsCerts(): Promise<TlsCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'dtps-tls-'));
  const f = (name: string) => join(dir, name);
  const quiet = { cwd: dir };
  await run(
    'openssl',
    [
      'req',
      '-x509',
      '-new',
      '-nodes',
      '-newkey',
      'rsa:2048',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
    ].concat(['-days', '2', '-subj', '/CN=dtps test CA']),
    quiet,
  );
  await run(
    'openssl',
    [
      'req',
      '-new',
      '-nodes',
      '-newkey',
      'rsa:2048',
      '-keyout',
      f('server.key'),
      '-out',
      f('server.csr'),
    ].concat(['-subj', '/CN=127.0.0.1']),
    quiet,
  );
  await writeFile(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      f('server.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
    ].concat(['-out', f('server.crt'), '-days', '2', '-extfile', f('ext.cnf')]),
    quiet,
  );
  return {
    dir,
    ca: f('ca.crt'),
    cert: f('server.crt'),
    key: f('server.key'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A redis-server that also listens with TLS, and the `rediss://` URL of that port. */
export interface TlsRedisServer {
  server: RedisServer;
  /** `rediss://127.0.0.1:<tlsPort>`. */
  url: string;
  tlsPort: number;
}

/**
 * Starts a {@link RedisServer} (its plain port stays, for the test's own
 * checks) with a TLS port serving `certs.cert`; clients need no certificate
 * of their own (`--tls-auth-clients no`).
 */
export async function startTlsRedisServer(
  certs: TlsCerts,
  opts: RedisServerOptions = {},
): Promise<TlsRedisServer> {
  const tlsPort = await freePort();
  const server = await RedisServer.start({
    ...opts,
    args: [
      '--tls-port',
      String(tlsPort),
      '--tls-cert-file',
      certs.cert,
      '--tls-key-file',
      certs.key,
      '--tls-ca-cert-file',
      certs.ca,
      '--tls-auth-clients',
      'no',
      ...(opts.args ?? []),
    ],
  });
  return { server, url: `rediss://127.0.0.1:${tlsPort}`, tlsPort };
}
