import type { LimitSettings } from '../client/queue-limits.js';
import { checkLimitSettings } from '../client/queue-limits.js';
import { ValidationError } from '../errors.js';
import { QUEUE_NAME_PATTERN } from '../task/validate.js';

/** A limit the config file sets (`limits`), for one queue. */
export interface ConfiguredLimit {
  queue: string;
  /** Exactly the limit: a part not given (rate or concurrency) is none. */
  settings: LimitSettings & { rate: LimitSettings['rate']; concurrency: LimitSettings['concurrency'] };
}

const LINE_SYNTAX = 'QUEUE [type=T | group=G | each-group] [rate=N/MS] [concurrency=N]';

/**
 * Reads one entry of the `limits` config key: `QUEUE [type=T | group=G | each-group]
 * [rate=N/MS] [concurrency=N]`, e.g. `emails type=send rate=100/1000` (docs/flow-control.md).
 * Throws a ValidationError naming `field` and what is wrong.
 */
export function parseLimitLine(line: string, field = 'limits'): ConfiguredLimit {
  const words = line.trim().split(/\s+/);
  const queue = words.shift() ?? '';
  if (!QUEUE_NAME_PATTERN.test(queue)) {
    throw new ValidationError(field, `"${line}": starts with a queue name (${LINE_SYNTAX})`);
  }
  const settings: ConfiguredLimit['settings'] = { scope: 'queue', rate: null, concurrency: null };
  let scoped = false;
  const scope = (s: LimitSettings['scope'], key: string | null) => {
    if (scoped) throw new ValidationError(field, `"${line}": at most one of type=, group= and each-group`);
    scoped = true;
    settings.scope = s;
    settings.key = key;
  };
  for (const word of words) {
    const [name, value] = word.split('=', 2) as [string, string | undefined];
    if (name === 'each-group' && value === undefined) scope('each-group', null);
    else if (name === 'type' && value) scope('type', value);
    else if (name === 'group' && value) scope('group', value);
    else if (name === 'rate' && value && /^\d+\/\d+$/.test(value)) {
      const [n, perMs] = value.split('/').map(Number) as [number, number];
      settings.rate = { n, perMs };
    } else if (name === 'concurrency' && value && /^\d+$/.test(value)) settings.concurrency = Number(value);
    else throw new ValidationError(field, `"${line}": cannot read "${word}" (${LINE_SYNTAX})`);
  }
  if (settings.rate === null && settings.concurrency === null) {
    throw new ValidationError(field, `"${line}": gives no rate= or concurrency=`);
  }
  try {
    checkLimitSettings(settings);
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(field, `"${line}": ${err.message}`);
    throw err;
  }
  return { queue, settings };
}
