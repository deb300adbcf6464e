/**
 * Redis connection errors in plain words for the banner. ioredis reports a
 * read that gave up as "Reached the max retries per request limit (which is
 * 1). Refer to …", which says nothing about Redis; the socket's own error
 * (ECONNREFUSED, ENOTFOUND, …) does, and is what the banner keeps.
 */

/** ioredis's message for a command that gave up while the connection is down. */
const GAVE_UP = /max retries per request limit/i;

const CAUSES: readonly [RegExp, string][] = [
  [/ECONNREFUSED/, 'connection refused'],
  [/ENOTFOUND|EAI_AGAIN/, 'host not found'],
  [/ETIMEDOUT|timed out/i, 'connection timed out'],
  [/ECONNRESET/, 'connection reset'],
  [/EHOSTUNREACH|ENETUNREACH/, 'host unreachable'],
  [
    /NOAUTH|WRONGPASS|invalid password|invalid username-password/i,
    'authentication failed (check the user and password in the URL)',
  ],
];

/**
 * The error to show, given the new one and the one shown so far: a known
 * cause in plain words; a read that gave up keeps the cause already known
 * (or says "no answer").
 */
export function plainConnectionError(message: string, previous: string | null): string {
  if (GAVE_UP.test(message)) return previous ?? 'no answer';
  for (const [re, plain] of CAUSES) if (re.test(message)) return plain;
  return message;
}
