import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { configSchema, describeConfig, type LoadConfigOptions, loadConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';

const dirs: string[] = [];

/** A fresh temp dir holding the given files; searches stop there, so nothing outside leaks in. */
async function tempDir(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dtps-config-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

test.after.always(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** loadConfig isolated from the real environment and from files above the temp dir. */
function load(dir: string, options: LoadConfigOptions = {}) {
  return loadConfig({ cwd: dir, stopDir: dir, env: {}, ...options });
}

const YAML = `redis:
  url: redis://:filepw@filehost:6380
queue: from-file
retention:
  succeeded:
    max: 50
monitor:
  port: 8000
`;

test('defaults alone', async (t) => {
  const dir = await tempDir();
  const loaded = await load(dir);
  t.deepEqual(loaded.config, configSchema.parse({}));
  t.is(loaded.config.redis.url, 'redis://127.0.0.1:6379');
  t.is(loaded.config.prefix, 'dtps');
  t.is(loaded.config.queue, 'default');
  t.is(loaded.config.payloadMaxBytes, 1048576);
  t.is(loaded.config.events.maxLen, 10000);
  t.deepEqual(loaded.config.retention.succeeded, { ageMs: 3600000, max: 10000 });
  t.deepEqual(loaded.config.retention.cancelled, { ageMs: 604800000, max: 100000 });
  t.deepEqual(loaded.config.backoff, { baseMs: 1000, maxMs: 3600000 });
  t.is(loaded.config.logFormat, 'pretty');
  t.deepEqual(loaded.config.monitor, { enabled: false, host: '127.0.0.1', port: 7420 });
  t.deepEqual(loaded.config.telemetry, {
    traces: false,
    metrics: false,
    traceSampleRatio: 1,
    traceRateLimit: 100,
  });
  t.is(loaded.file, undefined);
  t.true(Object.values(loaded.sources).every((s) => s.kind === 'default'));
  t.true('monitor.token' in loaded.sources, 'every leaf has a source, set or not');
});

test('a .dtpsrc.yaml in cwd overrides the defaults', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': YAML });
  const loaded = await load(dir);
  t.is(loaded.file, join(dir, '.dtpsrc.yaml'));
  t.is(loaded.config.redis.url, 'redis://:filepw@filehost:6380');
  t.is(loaded.config.queue, 'from-file');
  t.is(loaded.config.retention.succeeded.max, 50);
  t.is(loaded.config.retention.succeeded.ageMs, 3600000, 'siblings keep their defaults');
  t.is(loaded.config.monitor.port, 8000);
  t.deepEqual(loaded.sources.queue, { kind: 'file', path: join(dir, '.dtpsrc.yaml') });
  t.deepEqual(loaded.sources.prefix, { kind: 'default' });
});

test('the file is found in a parent directory', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': 'queue: parent\n', 'a/b/keep': '' });
  const loaded = await loadConfig({ cwd: join(dir, 'a', 'b'), stopDir: dir, env: {} });
  t.is(loaded.config.queue, 'parent');
  t.is(loaded.file, join(dir, '.dtpsrc.yaml'));
});

test('other cosmiconfig places: .dtpsrc.json and package.json#dtps', async (t) => {
  const json = await tempDir({ '.dtpsrc.json': '{"prefix":"jsonpfx"}' });
  t.is((await load(json)).config.prefix, 'jsonpfx');
  const pkg = await tempDir({ 'package.json': '{"name":"x","dtps":{"prefix":"pkgpfx"}}' });
  t.is((await load(pkg)).config.prefix, 'pkgpfx');
});

test('an empty file means defaults', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': '' });
  const loaded = await load(dir);
  t.is(loaded.config.queue, 'default');
});

test('env overrides the file, flags override env', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': YAML });
  const env = {
    DTPS_QUEUE: 'from-env',
    DTPS_REDIS_URL: 'redis://envhost:6381',
    DTPS_RETENTION_SUCCEEDED_AGE_MS: '5000',
    DTPS_TELEMETRY_TRACES: 'true',
    DTPS_LOG_FORMAT: 'json',
    DTPS_SOMETHING_ELSE: 'ignored',
  };
  const envOnly = await load(dir, { env });
  t.is(envOnly.config.queue, 'from-env');
  t.is(envOnly.config.redis.url, 'redis://envhost:6381');
  t.is(envOnly.config.retention.succeeded.ageMs, 5000);
  t.is(envOnly.config.retention.succeeded.max, 50, 'still from the file');
  t.true(envOnly.config.telemetry.traces);
  t.is(envOnly.config.logFormat, 'json');
  t.deepEqual(envOnly.sources.queue, { kind: 'env', name: 'DTPS_QUEUE' });
  t.deepEqual(envOnly.sources['retention.succeeded.ageMs'], {
    kind: 'env',
    name: 'DTPS_RETENTION_SUCCEEDED_AGE_MS',
  });

  const withFlags = await load(dir, {
    env,
    flags: { queue: 'from-flag', 'redis.url': 'redis://flaghost', 'monitor.port': '9000', prefix: undefined },
    flagNames: { 'redis.url': '--redis' },
  });
  t.is(withFlags.config.queue, 'from-flag');
  t.is(withFlags.config.redis.url, 'redis://flaghost');
  t.is(withFlags.config.monitor.port, 9000, 'string flags are coerced');
  t.is(withFlags.config.prefix, 'dtps', 'an undefined flag is skipped');
  t.deepEqual(withFlags.sources['redis.url'], { kind: 'flag', name: '--redis' });
  t.deepEqual(withFlags.sources.queue, { kind: 'flag', name: '--queue' });
  t.deepEqual(withFlags.sources['monitor.port'], { kind: 'flag', name: '--monitor.port' });
  t.deepEqual(withFlags.sources['retention.succeeded.ageMs'], {
    kind: 'env',
    name: 'DTPS_RETENTION_SUCCEEDED_AGE_MS',
  });
  t.deepEqual(withFlags.sources['retention.succeeded.max'], {
    kind: 'file',
    path: join(dir, '.dtpsrc.yaml'),
  });
  t.deepEqual(withFlags.sources['events.maxLen'], { kind: 'default' });
});

test('env booleans accept true/false/1/0', async (t) => {
  const dir = await tempDir();
  for (const [text, expected] of [
    ['1', true],
    ['0', false],
    ['false', false],
    ['TRUE', true],
  ] as const) {
    t.is((await load(dir, { env: { DTPS_TELEMETRY_TRACES: text } })).config.telemetry.traces, expected, text);
  }
});

test('an empty env variable counts as unset', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': 'queue: q1\n' });
  t.is((await load(dir, { env: { DTPS_QUEUE: '' } })).config.queue, 'q1');
});

test('an explicit configFile is read instead of searching', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': 'queue: searched\n', 'conf/other.yaml': 'queue: explicit\n' });
  const loaded = await load(dir, { configFile: 'conf/other.yaml' });
  t.is(loaded.config.queue, 'explicit');
  t.is(loaded.file, join(dir, 'conf', 'other.yaml'));
  t.deepEqual(loaded.sources.queue, { kind: 'file', path: join(dir, 'conf', 'other.yaml') });
});

test('a missing configFile is a ConfigError naming the path', async (t) => {
  const dir = await tempDir();
  const err = await t.throwsAsync(load(dir, { configFile: 'nope.yaml' }), { instanceOf: ConfigError });
  t.true(err?.message.includes(join(dir, 'nope.yaml')), err?.message);
  t.is(err?.code, 'invalid_config');
});

test('a file that is not valid YAML is a ConfigError naming the file', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': 'queue: [unclosed\n' });
  const err = await t.throwsAsync(load(dir), { instanceOf: ConfigError });
  t.true(err?.message.includes(join(dir, '.dtpsrc.yaml')), err?.message);
});

test('a bad value in the file: key, file and what is allowed', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': 'retention:\n  succeeded:\n    max: abc\n' });
  const err = await t.throwsAsync(load(dir), { instanceOf: ConfigError });
  const path = join(dir, '.dtpsrc.yaml');
  t.is(err?.message, `retention.succeeded.max (from file ${path}): expected an integer >= 1, got "abc"`);
  t.is(err?.field, 'retention.succeeded.max');
  t.is(err?.source, `file ${path}`);
});

test('a bad value in the file is reported even when env overrides it', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': 'monitor:\n  port: 70000\n' });
  const err = await t.throwsAsync(load(dir, { env: { DTPS_MONITOR_PORT: '8000' } }), {
    instanceOf: ConfigError,
  });
  t.is(err?.field, 'monitor.port');
  t.regex(err?.message ?? '', /from file .*: expected an integer from 1 to 65535, got 70000/);
});

test('bad values from env and flags name their source', async (t) => {
  const dir = await tempDir();
  const fromEnv = await t.throwsAsync(load(dir, { env: { DTPS_EVENTS_MAX_LEN: '12.5' } }), {
    instanceOf: ConfigError,
  });
  t.is(
    fromEnv?.message,
    'events.maxLen (from env DTPS_EVENTS_MAX_LEN): expected an integer >= 100, got "12.5"',
  );
  t.is(fromEnv?.source, 'env DTPS_EVENTS_MAX_LEN');

  const small = await t.throwsAsync(load(dir, { env: { DTPS_EVENTS_MAX_LEN: '10' } }), {
    instanceOf: ConfigError,
  });
  t.is(small?.message, 'events.maxLen (from env DTPS_EVENTS_MAX_LEN): expected an integer >= 100, got 10');

  const bool = await t.throwsAsync(load(dir, { env: { DTPS_TELEMETRY_TRACES: 'yes' } }), {
    instanceOf: ConfigError,
  });
  t.is(bool?.message, 'telemetry.traces (from env DTPS_TELEMETRY_TRACES): expected true or false, got "yes"');

  const fromFlag = await t.throwsAsync(
    load(dir, { flags: { logFormat: 'xml' }, flagNames: { logFormat: '--log-format' } }),
    {
      instanceOf: ConfigError,
    },
  );
  t.is(fromFlag?.message, 'logFormat (from flag --log-format): expected one of "pretty", "json", got "xml"');

  const queue = await t.throwsAsync(load(dir, { flags: { queue: 'has{brace}' } }), {
    instanceOf: ConfigError,
  });
  t.is(queue?.field, 'queue');
  t.is(queue?.source, 'flag --queue');

  const prefix = await t.throwsAsync(load(dir, { env: { DTPS_PREFIX: 'a:b' } }), { instanceOf: ConfigError });
  t.is(
    prefix?.message,
    'prefix (from env DTPS_PREFIX): expected 1-32 letters, digits, "_" or "-", got "a:b"',
  );

  const unknownFlag = await t.throwsAsync(load(dir, { flags: { 'redis.host': 'x' } }), {
    instanceOf: ConfigError,
  });
  t.is(unknownFlag?.field, 'redis.host');
});

test('a bad Redis URL is refused without showing its password', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': 'redis:\n  url: "http://u:topsecret@h"\n' });
  const fromFile = await t.throwsAsync(load(dir), { instanceOf: ConfigError });
  t.is(fromFile?.field, 'redis.url');
  t.regex(
    fromFile?.message ?? '',
    /^redis\.url \(from file .*\.dtpsrc\.yaml\): cannot use "http:\/\/u:\*\*\*@h": unknown scheme/,
  );
  t.false(fromFile?.message.includes('topsecret'));

  const fromEnv = await t.throwsAsync(
    load(await tempDir(), { env: { DTPS_REDIS_URL: 'redis://u:topsecret@h:port' } }),
    {
      instanceOf: ConfigError,
    },
  );
  t.is(fromEnv?.source, 'env DTPS_REDIS_URL');
  t.false(fromEnv?.message.includes('topsecret'));
});

test('a secret value is not echoed in an error', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': 'monitor:\n  token: 12345\n' });
  const err = await t.throwsAsync(load(dir), { instanceOf: ConfigError });
  t.is(err?.field, 'monitor.token');
  t.regex(err?.message ?? '', /expected a non-empty string, got 12345/, 'a number is no secret string');
});

test('an unknown key in the file is refused, naming the key and the file', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': 'retention:\n  succeded:\n    max: 5\n' });
  const err = await t.throwsAsync(load(dir), { instanceOf: ConfigError });
  t.is(err?.field, 'retention.succeded');
  t.true(err?.message.includes(join(dir, '.dtpsrc.yaml')));
  t.regex(
    err?.message ?? '',
    /unknown key; the keys known in retention are succeeded, failed, expired, cancelled/,
  );

  const top = await tempDir({ '.dtpsrc.yaml': 'redisUrl: redis://h\n' });
  const topErr = await t.throwsAsync(load(top), { instanceOf: ConfigError });
  t.is(topErr?.field, 'redisUrl');
});

test('a section that is not a mapping is refused', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': 'redis: redis://h\n' });
  const err = await t.throwsAsync(load(dir), { instanceOf: ConfigError });
  t.is(err?.field, 'redis');
  t.regex(err?.message ?? '', /expected a mapping with the keys url/);
});

test('cross-key check: backoff.maxMs must not be below backoff.baseMs', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': 'backoff:\n  baseMs: 5000\n' });
  const err = await t.throwsAsync(load(dir, { env: { DTPS_BACKOFF_MAX_MS: '100' } }), {
    instanceOf: ConfigError,
  });
  t.is(
    err?.message,
    'backoff.maxMs (from env DTPS_BACKOFF_MAX_MS): expected an integer >= backoff.baseMs (5000), got 100',
  );
});

test('DTPS_API_TOKEN sets monitor.token; DTPS_MONITOR_TOKEN wins over it', async (t) => {
  const dir = await tempDir();
  const alias = await load(dir, { env: { DTPS_API_TOKEN: 'tok1' } });
  t.is(alias.config.monitor.token, 'tok1');
  t.deepEqual(alias.sources['monitor.token'], { kind: 'env', name: 'DTPS_API_TOKEN' });

  const both = await load(dir, { env: { DTPS_API_TOKEN: 'tok1', DTPS_MONITOR_TOKEN: 'tok2' } });
  t.is(both.config.monitor.token, 'tok2');
  t.deepEqual(both.sources['monitor.token'], { kind: 'env', name: 'DTPS_MONITOR_TOKEN' });
});

test('describeConfig: one row per leaf, secrets hidden, sources rendered', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': YAML });
  const loaded = await load(dir, {
    env: { DTPS_API_TOKEN: 'very-secret-token' },
    flags: { 'redis.url': 'redis://alice:flagpw@flaghost:6390/1' },
    flagNames: { 'redis.url': '--redis' },
  });
  const rows = describeConfig(loaded);
  t.is(rows.length, Object.keys(loaded.sources).length);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  t.deepEqual(byKey.get('redis.url'), {
    key: 'redis.url',
    value: 'redis://alice:***@flaghost:6390/1',
    source: 'flag --redis',
  });
  t.deepEqual(byKey.get('monitor.token'), {
    key: 'monitor.token',
    value: '***',
    source: 'env DTPS_API_TOKEN',
  });
  t.deepEqual(byKey.get('queue'), {
    key: 'queue',
    value: 'from-file',
    source: `file ${join(dir, '.dtpsrc.yaml')}`,
  });
  t.deepEqual(byKey.get('prefix'), { key: 'prefix', value: 'dtps', source: 'default' });
  t.deepEqual(byKey.get('telemetry.otlpEndpoint'), {
    key: 'telemetry.otlpEndpoint',
    value: undefined,
    source: 'default',
  });
  const printed = JSON.stringify(rows);
  t.false(printed.includes('flagpw'));
  t.false(printed.includes('very-secret-token'));
});

test('describeConfig redacts a redis.url from the file too', async (t) => {
  const dir = await tempDir({ '.dtpsrc.yaml': YAML });
  const rows = describeConfig(await load(dir));
  t.is(rows.find((r) => r.key === 'redis.url')?.value, 'redis://:***@filehost:6380');
  t.is(rows.find((r) => r.key === 'monitor.token')?.value, undefined);
});

test('worker section: lists from YAML, comma-separated lists from the environment, min <= max', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dtps-cfg-'));
  await writeFile(join(dir, '.dtpsrc.yaml'), 'worker:\n  queues: [default, mail]\n  max: 20\n');
  const fromFile = await loadConfig({ cwd: dir, stopDir: dir, env: {} });
  t.deepEqual(fromFile.config.worker.queues, ['default', 'mail']);
  t.is(fromFile.config.worker.max, 20);
  t.is(fromFile.config.worker.prefetch, undefined);
  const fromEnv = await loadConfig({
    cwd: dir,
    stopDir: dir,
    env: { DTPS_WORKER_QUEUES: 'a, b ,c', DTPS_WORKER_STEAL: 'true' },
  });
  t.deepEqual(fromEnv.config.worker.queues, ['a', 'b', 'c']);
  t.is(fromEnv.config.worker.steal, true);
  t.deepEqual(fromEnv.sources['worker.queues'], { kind: 'env', name: 'DTPS_WORKER_QUEUES' });
  const err = await t.throwsAsync(loadConfig({ cwd: dir, stopDir: dir, env: { DTPS_WORKER_MIN: '30' } }));
  t.regex(err!.message, /worker\.min/);
  const bad = await t.throwsAsync(
    loadConfig({ cwd: dir, stopDir: dir, env: { DTPS_WORKER_QUEUES: 'ok,not ok' } }),
  );
  t.regex(bad!.message, /worker\.queues/);
});

test('worker.queues takes weights: NAME:WEIGHT, {name, weight}, and from the environment', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dtps-cfg-'));
  await writeFile(
    join(dir, '.dtpsrc.yaml'),
    'worker:\n  queues: ["critical:6", {name: default, weight: 3}, "low:1"]\n  strict: true\n',
  );
  const fromFile = await loadConfig({ cwd: dir, stopDir: dir, env: {} });
  t.deepEqual(fromFile.config.worker.queues, ['critical:6', { name: 'default', weight: 3 }, 'low:1']);
  t.true(fromFile.config.worker.strict);
  const fromEnv = await loadConfig({ cwd: dir, stopDir: dir, env: { DTPS_WORKER_QUEUES: 'a:2,b:1' } });
  t.deepEqual(fromEnv.config.worker.queues, ['a:2', 'b:1']);
  for (const [value, pattern] of [
    ['a:0', /weight of "a" must be an integer from 1 to 1000/],
    ['a:2,b', /give every queue a weight or none/],
    ['a,a', /listed twice/],
  ] as const) {
    const err = await t.throwsAsync(
      loadConfig({ cwd: dir, stopDir: dir, env: { DTPS_WORKER_QUEUES: value } }),
    );
    t.regex(err!.message, /worker\.queues/);
    t.regex(err!.message, pattern);
  }
});
