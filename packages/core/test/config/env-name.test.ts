import test from 'ava';
import { CONFIG_LEAVES, ENV_ALIASES, envNameOf, unusedEnvNames } from '../../src/config/index.js';

test('env names are DTPS_ plus the path in SCREAMING_SNAKE_CASE', (t) => {
  t.is(envNameOf('redis.url'), 'DTPS_REDIS_URL');
  t.is(envNameOf('retention.succeeded.ageMs'), 'DTPS_RETENTION_SUCCEEDED_AGE_MS');
  t.is(envNameOf('payloadMaxBytes'), 'DTPS_PAYLOAD_MAX_BYTES');
  t.is(envNameOf('telemetry.otlpEndpoint'), 'DTPS_TELEMETRY_OTLP_ENDPOINT');
  t.is(envNameOf('a.useHTTPServer'), 'DTPS_A_USE_HTTP_SERVER');
});

test('every leaf has its own env name, none taken by an alias', (t) => {
  const names = CONFIG_LEAVES.map((l) => l.envName);
  t.is(new Set(names).size, names.length);
  for (const alias of Object.keys(ENV_ALIASES)) t.false(names.includes(alias));
  t.true(names.includes('DTPS_MONITOR_TOKEN'));
  t.true(names.includes('DTPS_RETENTION_CANCELLED_MAX'));
});

test('unusedEnvNames lists DTPS_* variables no key uses', (t) => {
  t.deepEqual(
    unusedEnvNames({ DTPS_REDIS_URL: 'x', DTPS_API_TOKEN: 'y', DTPS_TYPO: 'z', HOME: '/' }, CONFIG_LEAVES),
    ['DTPS_TYPO'],
  );
});
