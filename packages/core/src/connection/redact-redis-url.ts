/** What replaces a password in anything shown to a person or written to a log. */
export const REDACTED = '***';

// Query parameters that carry a secret. Everything after `name=` up to the end
// is hidden rather than up to the next `&`: an unencoded `&` in the secret
// must not let its tail leak.
const SECRET_PARAM = /([?&](?:sentinelPassword|password)=).*$/i;

/**
 * Returns `url` with every password replaced by `***`; the user name stays,
 * so that an operator can still tell which account is used.
 *
 * Works on any string, parsable or not (it is what error messages show for a
 * bad URL), so it relies on plain text rules rather than a parser: the
 * userinfo is everything between `://` (or the start, for the bare
 * `user:pass@host` form) and the LAST `@`, which also covers passwords holding
 * an unencoded `@`, `/` or `:`. When in doubt it hides too much, never too little.
 *
 * @example redactRedisUrl('redis://alice:s3cret@h:6379/0') // 'redis://alice:***@h:6379/0'
 */
export function redactRedisUrl(url: string): string {
  const withoutQuerySecret = url.replace(SECRET_PARAM, `$1${REDACTED}`);
  const schemeEnd = withoutQuerySecret.indexOf('://');
  const start = schemeEnd === -1 ? 0 : schemeEnd + 3;
  const at = withoutQuerySecret.lastIndexOf('@');
  if (at < start) return withoutQuerySecret;
  const userinfo = withoutQuerySecret.slice(start, at);
  const colon = userinfo.indexOf(':');
  // No colon: the userinfo is a user name only, which is not secret.
  if (colon === -1) return withoutQuerySecret;
  return `${withoutQuerySecret.slice(0, start)}${userinfo.slice(0, colon)}:${REDACTED}${withoutQuerySecret.slice(at)}`;
}
