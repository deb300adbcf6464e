/** Every environment variable of dtps starts with this. */
export const ENV_PREFIX = 'DTPS_';

/**
 * Extra environment names for a config path, besides the generated one.
 * `DTPS_API_TOKEN` is the name the HTTP monitor's docs and the Go original use.
 * When both are set, the generated name wins (it is the more specific one).
 */
export const ENV_ALIASES: Readonly<Record<string, string>> = {
  DTPS_API_TOKEN: 'monitor.token',
};

/**
 * The environment variable for a dotted config path: `DTPS_` plus the path
 * in SCREAMING_SNAKE_CASE, camelCase words split
 * (`retention.succeeded.ageMs` → `DTPS_RETENTION_SUCCEEDED_AGE_MS`).
 */
export function envNameOf(path: string): string {
  const words = path
    .split('.')
    .map((segment) =>
      segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2'),
    );
  return ENV_PREFIX + words.join('_').toUpperCase();
}
