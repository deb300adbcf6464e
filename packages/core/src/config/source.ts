/** Where one config value came from. */
export type ConfigSource =
  | { kind: 'default' }
  | { kind: 'file'; path: string }
  | { kind: 'up'; path: string }
  | { kind: 'env'; name: string }
  | { kind: 'flag'; name: string };

/**
 * Renders a source the way `dtps config` and error messages show it:
 * `default`, `file /path/.dtpsrc.yaml`, `dtps up /path/.dtps/up.json`,
 * `env DTPS_REDIS_URL`, `flag --redis`.
 */
export function formatSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `file ${source.path}`;
    case 'up':
      return `dtps up ${source.path}`;
    case 'env':
      return `env ${source.name}`;
    case 'flag':
      return `flag ${source.name}`;
  }
}
