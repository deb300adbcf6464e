/**
 * Schedules of the config file, through the real daemon: created on start,
 * updated when the file changes them, an unchanged one keeps its state, and
 * one the file no longer declares is kept and reported (log and fleet event).
 * A bad declaration stops the start-up with exit 2 naming `schedules`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScheduleStore } from '@dtps/core';
import { uniquePrefix, useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { type Daemon, spawnCoordinator, stopAll } from './daemon.js';
import { scope } from './fixture.js';

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dtps-sched-')), 'dtps.yaml');
  writeFileSync(file, yaml);
  return file;
}

test('declared schedules are created, then updated; one dropped from the file is kept and reported', async (t) => {
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const store = new ScheduleStore(s.client.ctx);
  const start = async (yaml: string) => {
    const d = await spawnCoordinator({
      redisUrl: redis.server.url,
      prefix: s.prefix,
      id: `c${daemons.length}`,
      args: ['--config', configFile(yaml)],
    });
    daemons.push(d);
    return d;
  };
  const first = await start(
    [
      'schedules:',
      '  - { id: nightly, cron: "0 3 * * *", tz: Europe/Berlin, type: report, queue: reports, missed: skip }',
      '  - { id: poll, everyMs: 3600000, type: poll, payload: { url: "https://example.com" } }',
    ].join('\n'),
  );
  t.like(await store.get('nightly'), {
    def: {
      cron: '0 3 * * *',
      tz: 'Europe/Berlin',
      origin: 'config',
      missed: { kind: 'skip' },
      template: { type: 'report', queue: 'reports' },
    },
  });
  t.like(await store.get('poll'), {
    def: { everyMs: 3_600_000, template: { payload: { url: 'https://example.com' } } },
  });
  const pollCreated = (await store.get('poll')).updatedAt;
  await first.stop();
  const second = await start(
    [
      'schedules:',
      '  - { id: poll, everyMs: 3600000, type: poll, payload: { url: "https://example.com" } }',
      '  - { id: nightly2, cron: "0 4 * * *", type: report }',
    ].join('\n'),
  );
  t.is((await store.get('poll')).updatedAt, pollCreated, 'unchanged: untouched');
  t.truthy(await store.find('nightly'), 'dropped from the file: kept');
  t.truthy(await store.find('nightly2'));
  t.is(
    second.logsWith('schedule no longer in the config file: kept; remove it with dtps schedule rm')[0]
      ?.schedule,
    'nightly',
  );
  const events = (await s.redis.xrange(s.client.ctx.fleet.events, '-', '+')).map(([, f]) => f);
  t.true(events.some((f) => f[1] === 'schedule:undeclared' && f[3] === 'nightly'));
});

test('a bad declaration stops the start-up: exit 2 naming schedules and the field', async (t) => {
  const d = await spawnCoordinator({
    redisUrl: redis.server.url,
    prefix: uniquePrefix(),
    id: 'bad',
    args: ['--config', configFile('schedules:\n  - { id: x, cron: "99 * * * *", type: t }\n')],
    waitStarted: false,
  });
  daemons.push(d);
  const exit = await d.exited;
  t.is(exit.code, 2);
  t.regex(d.tail(), /schedules/);
  t.regex(d.tail(), /cron/);
});
