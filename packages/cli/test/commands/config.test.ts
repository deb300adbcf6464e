import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { dtps } from '../helpers/dtps.js';

type Settings = { file: string | null; settings: Record<string, { value: unknown; source: string }> };

test('config --json shows each value with its source; --redis overrides DTPS_REDIS_URL', async (t) => {
  const env = { DTPS_REDIS_URL: 'redis://alice:envsecret@127.0.0.1:6390/2', DTPS_PREFIX: 'p1' };
  const fromEnv = await dtps(['config', '--json'], { env });
  t.is(fromEnv.code, 0, fromEnv.stderr);
  const a = fromEnv.json<Settings>();
  t.is(a.file, null);
  t.deepEqual(a.settings['redis.url'], {
    value: 'redis://alice:***@127.0.0.1:6390/2',
    source: 'env DTPS_REDIS_URL',
  });
  t.deepEqual(a.settings.prefix, { value: 'p1', source: 'env DTPS_PREFIX' });
  t.deepEqual(a.settings.queue, { value: 'default', source: 'default' });
  t.notRegex(fromEnv.stdout, /envsecret/);

  const fromFlag = await dtps(
    ['config', '--json', '--redis', 'redis://:flagsecret@other:6379', '--queue', 'q2'],
    { env },
  );
  const b = fromFlag.json<Settings>();
  t.deepEqual(b.settings['redis.url'], { value: 'redis://:***@other:6379', source: 'flag --redis' });
  t.deepEqual(b.settings.queue, { value: 'q2', source: 'flag --queue' });
  t.notRegex(fromFlag.stdout, /secret/);
});

test('config reads a config file (--config or found from cwd) and says which', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dtps-cli-config-'));
  await writeFile(join(dir, '.dtpsrc.yaml'), 'prefix: fromfile\nqueue: q-file\n');
  const found = await dtps(['config', '--json'], { cwd: dir, env: { DTPS_QUEUE: 'q-env' } });
  t.is(found.code, 0, found.stderr);
  const a = found.json<Settings>();
  t.is(a.file, join(dir, '.dtpsrc.yaml'));
  t.deepEqual(a.settings.prefix, { value: 'fromfile', source: `file ${join(dir, '.dtpsrc.yaml')}` });
  t.deepEqual(a.settings.queue, { value: 'q-env', source: 'env DTPS_QUEUE' });

  const human = await dtps(['config'], { cwd: dir });
  t.regex(human.stdout, /^config file: .*\.dtpsrc\.yaml$/m);
  t.regex(human.stdout, /^prefix +fromfile +file /m);
});

test('a bad config value is exit 2, one line naming key and source', async (t) => {
  const r = await dtps(['stats'], { env: { DTPS_PREFIX: 'has:colon' } });
  t.is(r.code, 2);
  t.regex(r.stderr, /^dtps: prefix \(from env DTPS_PREFIX\): /);
  t.is(r.stderr.trim().split('\n').length, 1);
  const missing = await dtps(['config', '--config', 'nope.yaml']);
  t.is(missing.code, 2);
});
