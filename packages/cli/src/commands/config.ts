import { describeConfig } from '@dtps/core';
import { ExitCode } from '../exit-codes.js';
import { table } from '../format.js';
import type { Command } from './command.js';

/** `dtps config`: the effective configuration and where each value came from. */
export const config: Command = {
  name: 'config',
  args: [],
  summary: 'Show the effective configuration and where each value comes from',
  flags: [],
  details: [
    'Precedence: defaults < config file (.dtpsrc.yaml & co., searched upward from here, or',
    '--config) < the Redis of a `dtps up` running in this folder (.dtps/up.json) < DTPS_*',
    'environment < flags. Passwords and tokens are never shown.',
    'Does not connect to Redis. With --json:',
    '{"file": path or null, "settings": {"redis.url": {"value": …, "source": "env DTPS_REDIS_URL"}, …}}',
  ],
  examples: ['dtps config', 'dtps config --redis redis://cache:6379 --json'],
  async run(ctx) {
    const loaded = await ctx.config();
    const rows = describeConfig(loaded);
    const settings: Record<string, { value: unknown; source: string }> = {};
    for (const row of rows) settings[row.key] = { value: row.value ?? null, source: row.source };
    ctx.out.result({ file: loaded.file ?? null, settings }, () => {
      const body = table(
        ['KEY', 'VALUE', 'SOURCE'],
        rows.map((r) => [r.key, shown(r.value), r.source]),
      );
      return `config file: ${loaded.file ?? 'none found'}\n${body}`;
    });
    return ExitCode.ok;
  },
};

/** A value in the table: lists of names joined, a list of objects (schedules) counted. */
function shown(value: unknown): string {
  if (value === undefined) return '-';
  if (Array.isArray(value) && value.some((v) => typeof v === 'object' && v !== null)) {
    return `${value.length} (see --json)`;
  }
  return String(value);
}
