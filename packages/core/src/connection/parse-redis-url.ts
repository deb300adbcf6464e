import { ValidationError } from '../errors.js';
import { redactRedisUrl } from './redact-redis-url.js';
import type { RedisAddress, RedisTarget } from './redis-target.js';

/** The config key and flag value that URLs come from; errors name it. */
const FIELD = 'redis.url';

/** Shown in every parse error, so that a user sees at once what would work. */
export const ACCEPTED_REDIS_URL_FORMS: readonly string[] = [
  'redis://[user[:password]@]host[:port][/db]',
  'rediss://[user[:password]@]host[:port][/db] (TLS)',
  'host[:port] (same as redis://host:port)',
  'redis+sentinel://[user[:password]@]host[:port],host[:port].../mastername[/db][?sentinelPassword=...] (also rediss+sentinel://)',
  'redis+cluster://[user[:password]@]host[:port],host[:port]... (also rediss+cluster://)',
];

const DEFAULT_PORT = 6379;
const DEFAULT_SENTINEL_PORT = 26379;
const MAX_DB = 2 ** 31 - 1;

type Kind = RedisTarget['kind'];
const SCHEMES: Readonly<Record<string, { kind: Kind; tls: boolean }>> = {
  redis: { kind: 'single', tls: false },
  rediss: { kind: 'single', tls: true },
  'redis+sentinel': { kind: 'sentinel', tls: false },
  'rediss+sentinel': { kind: 'sentinel', tls: true },
  'redis+cluster': { kind: 'cluster', tls: false },
  'rediss+cluster': { kind: 'cluster', tls: true },
};

// Host names are kept to what DNS and IPv4 allow; anything else is far more
// likely a mangled URL (an unencoded character of the password) than a host.
const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const IPV6 = /^\[([0-9A-Fa-f:.]+(?:%[A-Za-z0-9]+)?)\]$/;
const MASTER_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Thrown inside the parser with a reason that never holds a secret; turned
 * into the public ValidationError (with the redacted URL) at the top.
 */
class UrlProblem extends Error {}

/**
 * Parses a Redis URL in one of the accepted forms (see
 * `ACCEPTED_REDIS_URL_FORMS`) into a `RedisTarget`. User name and password are
 * percent-decoded; ports default to 6379 (26379 for Sentinel hosts).
 *
 * @throws ValidationError with field `redis.url`, naming what is wrong and
 *   listing the accepted forms. The message shows the URL redacted and never
 *   contains the password.
 */
export function parseRedisUrl(url: string): RedisTarget {
  try {
    return parse(url.trim());
  } catch (err) {
    if (!(err instanceof UrlProblem)) throw err;
    const shown = url.trim() === '' ? '(empty)' : JSON.stringify(redactRedisUrl(url.trim()));
    throw new ValidationError(
      FIELD,
      `cannot use ${shown}: ${err.message}. Accepted forms: ${ACCEPTED_REDIS_URL_FORMS.join('; ')}`,
    );
  }
}

function parse(url: string): RedisTarget {
  if (url === '') throw new UrlProblem('the URL is empty');
  const schemeEnd = url.indexOf('://');
  // No scheme: the bare `host:port` form of the Go original's `-redis` flag.
  const scheme = schemeEnd === -1 ? 'redis' : url.slice(0, schemeEnd).toLowerCase();
  const rest = schemeEnd === -1 ? url : url.slice(schemeEnd + 3);
  const form = SCHEMES[scheme];
  if (form === undefined) throw new UrlProblem(`unknown scheme "${scheme}://"`);

  const hashAt = rest.indexOf('#');
  if (hashAt !== -1) throw new UrlProblem('a URL fragment (#...) is not allowed');

  // The query is split off first: only `sentinelPassword` may appear there and
  // its value is a secret, so the query is never quoted in a message.
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rest.slice(queryAt + 1);

  // The LAST `@` ends the userinfo (like redactRedisUrl), so that nothing of
  // a password with an unencoded `@`, `/` or `:` ends up quoted as a host.
  const at = beforeQuery.lastIndexOf('@');
  const credentials = at === -1 ? {} : parseUserinfo(beforeQuery.slice(0, at));
  const afterUserinfo = at === -1 ? beforeQuery : beforeQuery.slice(at + 1);
  const slash = afterUserinfo.indexOf('/');
  const hostPart = slash === -1 ? afterUserinfo : afterUserinfo.slice(0, slash);
  const pathSegments = slash === -1 ? [] : afterUserinfo.slice(slash + 1).split('/');
  // A trailing slash (`redis://h/`) means no path.
  if (pathSegments.length > 0 && pathSegments[pathSegments.length - 1] === '') pathSegments.pop();

  const defaultPort = form.kind === 'sentinel' ? DEFAULT_SENTINEL_PORT : DEFAULT_PORT;
  const addresses = hostPart.split(',').map((h) => parseAddress(h, defaultPort));

  if (form.kind === 'single') {
    if (addresses.length !== 1) {
      throw new UrlProblem(
        'a single-server URL takes one host; use redis+sentinel:// or redis+cluster:// for several',
      );
    }
    if (pathSegments.length > 1) throw new UrlProblem('the path can only be a database number (/db)');
    rejectQuery(query, false);
    const address = addresses[0] as RedisAddress;
    return { kind: 'single', ...address, db: parseDb(pathSegments[0]), ...credentials, tls: form.tls };
  }

  if (form.kind === 'sentinel') {
    const name = pathSegments[0];
    if (name === undefined)
      throw new UrlProblem('a Sentinel URL needs the master name as its path (/mastername)');
    if (!MASTER_NAME.test(name))
      throw new UrlProblem(`invalid master name "${name}" (letters, digits, "_", "." and "-")`);
    if (pathSegments.length > 2) throw new UrlProblem('the path of a Sentinel URL is /mastername[/db]');
    const sentinelPassword = rejectQuery(query, true);
    return {
      kind: 'sentinel',
      sentinels: addresses,
      name,
      db: parseDb(pathSegments[1]),
      ...credentials,
      ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
      tls: form.tls,
    };
  }

  // Redis Cluster has only database 0, so `/0` is the only path that makes sense.
  if (pathSegments.length > 1 || (pathSegments.length === 1 && pathSegments[0] !== '0')) {
    throw new UrlProblem('Redis Cluster has only database 0; a cluster URL takes no path');
  }
  rejectQuery(query, false);
  return { kind: 'cluster', nodes: addresses, ...credentials, tls: form.tls };
}

function parseUserinfo(userinfo: string): { username?: string; password?: string } {
  const colon = userinfo.indexOf(':');
  const rawUser = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const rawPassword = colon === -1 ? '' : userinfo.slice(colon + 1);
  const username = rawUser === '' ? undefined : decode(rawUser, 'the user name');
  const password = rawPassword === '' ? undefined : decode(rawPassword, 'the password');
  return {
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}

function decode(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    // The value itself is not quoted: it may be (part of) a password.
    throw new UrlProblem(`${what} is not valid percent-encoding (write a literal % as %25)`);
  }
}

function parseAddress(text: string, defaultPort: number): RedisAddress {
  if (text === '') throw new UrlProblem('a host is missing');
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    const bracketed = IPV6.exec(close === -1 ? text : text.slice(0, close + 1));
    if (bracketed === null) throw new UrlProblem(`invalid IPv6 address "${text}"`);
    host = bracketed[1] as string;
    const after = text.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw new UrlProblem(`invalid host "${text}"`);
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = text.indexOf(':');
    host = colon === -1 ? text : text.slice(0, colon);
    portText = colon === -1 ? undefined : text.slice(colon + 1);
    if (!HOSTNAME.test(host)) throw new UrlProblem(`invalid host "${host}"`);
  }
  if (portText === undefined) return { host, port: defaultPort };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new UrlProblem(`invalid port "${portText}" (1-65535)`);
  }
  return { host, port: Number(portText) };
}

function parseDb(segment: string | undefined): number {
  if (segment === undefined) return 0;
  if (!/^\d{1,10}$/.test(segment) || Number(segment) > MAX_DB) {
    throw new UrlProblem(`invalid database "${segment}" (a number >= 0)`);
  }
  return Number(segment);
}

/**
 * Refuses query parameters except `sentinelPassword` where it is allowed, and
 * returns its decoded value. Nothing of the query is quoted in a message: an
 * unencoded `&` in the password would make its tail look like a parameter name.
 */
function rejectQuery(query: string, allowSentinelPassword: boolean): string | undefined {
  if (query === '') return undefined;
  let sentinelPassword: string | undefined;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (allowSentinelPassword && name === 'sentinelPassword' && eq !== -1) {
      sentinelPassword = decode(pair.slice(eq + 1), 'sentinelPassword');
      continue;
    }
    throw new UrlProblem(
      allowSentinelPassword
        ? 'unknown query parameter (only sentinelPassword is allowed)'
        : 'query parameters are not supported here',
    );
  }
  return sentinelPassword === '' ? undefined : sentinelPassword;
}
