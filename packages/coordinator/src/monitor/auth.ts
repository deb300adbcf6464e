import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { DtpsError } from '@dtps/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Readable without a token even when the monitor listens beyond loopback:
     * health probes (load balancers cannot send tokens) and the dashboard's
     * static page (it asks for the token itself and holds no data).
     */
    open?: boolean;
    /**
     * Needs the token whenever one is configured, even on loopback: the
     * route sends a task's payload and result, which may be private to
     * whoever submitted it (lists show only their sizes).
     */
    private?: boolean;
  }
}

/** True for 127.0.0.0/8, ::1 (any spelling), ::ffff:127.x and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) {
    if (h.startsWith('::ffff:') && isIPv4(h.slice(7))) return h.slice(7).startsWith('127.');
    return /^(?:0{0,4}:){2,7}0{0,3}1$/.test(h);
  }
  return false;
}

/**
 * A token a request can carry: `Authorization: Bearer <token>` holds one
 * run of visible characters, so a token with a space, a tab or a control
 * character (or only whitespace) could never match and would lock every
 * changing endpoint while looking configured.
 */
const USABLE_TOKEN = /^[\x21-\x7E\u00A0-\uFFFF]+$/;

/**
 * docs/design.md §6: without a token the monitor only listens on loopback; a token
 * that no request could match is refused too. Throws `invalid_config`
 * (field `monitor.token`) before anything binds.
 */
export function assertBindAllowed(host: string, token: string | undefined): void {
  if (token !== undefined && token !== '' && !USABLE_TOKEN.test(token)) {
    throw new DtpsError(
      'invalid_config',
      'monitor.token must be one run of visible characters (no spaces, tabs or control characters): ' +
        '`Authorization: Bearer <token>` could never carry this one, so no changing request would be accepted',
      { field: 'monitor.token' },
    );
  }
  if (token || isLoopbackHost(host)) return;
  throw new DtpsError(
    'invalid_config',
    `monitor.host ${host} is beyond loopback and no token is set: anyone who can reach it could change tasks and workers. ` +
      'Set monitor.token (or DTPS_API_TOKEN, or --token) so that requests need `Authorization: Bearer <token>`, ' +
      'or bind 127.0.0.1',
    { field: 'monitor.token' },
  );
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Does the Authorization header carry the token? Compares SHA-256 digests
 * with timingSafeEqual: constant time, and the digests have equal length
 * whatever the caller sent, so not even the token's length leaks.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  const given = m?.[1] ?? '';
  // Always compare, even without a header, so that timing does not say which case it was.
  const same = timingSafeEqual(digest(given), digest(token));
  return m !== null && same;
}

/**
 * Is `origin` exactly this server (scheme, host and port) as the Host header
 * names it? The monitor speaks plain http, so an `https://` origin of the same
 * host is another site in the browser's eyes and is not trusted.
 */
export function sameOrigin(origin: string, hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  try {
    const from = new URL(origin);
    const self = new URL(`http://${hostHeader}`);
    return from.protocol === 'http:' && from.origin === self.origin;
  } catch {
    // "null" or garbage: not this site.
    return false;
  }
}

/** The host name of a Host (or Origin authority) header, without its port. */
function hostnameOf(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(1, authority.indexOf(']'));
  const colon = authority.lastIndexOf(':');
  return colon === -1 ? authority : authority.slice(0, colon);
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The token rule of docs/design.md §6, plus two cheap browser-side guards:
 * - With a token, every changing request (POST) needs `Authorization: Bearer <token>`.
 * - Beyond loopback (which needs a token: `assertBindAllowed`), reads need it
 *   too: task payloads and results may be private, and a network address
 *   is no longer "only people on this machine" (`open` routes excepted).
 * - With a token, a `private` read (one task's payload and result) needs it
 *   even on loopback: another local user may read counts, not bodies.
 * - Without a token, a web page the operator happens to visit could post to
 *   127.0.0.1 (CSRF): a changing request whose Origin is another site is
 *   refused. (With a token it cannot: browsers never add that header on
 *   their own, so a reverse proxy that rewrites Host keeps working.)
 * - On loopback the Host header must name a loopback host, so a rebound DNS
 *   name cannot make a browser read the API. (A local reverse proxy must pass
 *   the upstream Host, which is nginx's default.)
 */
export function installAuth(
  app: FastifyInstance,
  opts: { token: string | undefined; loopback: boolean },
): void {
  const { token, loopback } = opts;
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const hostHeader = request.headers.host;
    if (loopback && hostHeader && !isLoopbackHost(hostnameOf(hostHeader))) {
      throw new HttpError(
        403,
        'forbidden',
        `Host ${hostHeader} is not a loopback name: the monitor listens on loopback only (guard against DNS rebinding)`,
      );
    }
    const changing = !READ_METHODS.has(request.method);
    const origin = request.headers.origin;
    if (!token && changing && origin !== undefined) {
      if (!sameOrigin(origin, hostHeader)) {
        throw new HttpError(403, 'forbidden', `cross-site request from ${origin} refused`);
      }
    }
    if (!token) return;
    const config = request.routeOptions.config;
    const needsToken = changing || config?.private === true || (!loopback && config?.open !== true);
    if (needsToken && !bearerMatches(request.headers.authorization, token)) {
      throw new HttpError(
        401,
        'unauthorized',
        request.headers.authorization
          ? 'the bearer token is wrong'
          : 'this endpoint needs `Authorization: Bearer <token>` (the monitor.token / DTPS_API_TOKEN of the coordinator)',
        'authorization',
        { 'www-authenticate': 'Bearer realm="dtps"' },
      );
    }
  });
}
