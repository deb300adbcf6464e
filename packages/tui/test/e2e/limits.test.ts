/**
 * Flow control in the console end to end: the real `dtps-tui` in tmux
 * against a real redis-server. The Overview shows a limit with what it holds
 * (running under the cap, held back); L sets a rate limit and clears the cap,
 * refusing a bad value with the field's name; P pauses the queue after a
 * question and resumes it. Redis holds each change.
 */
import { fileURLToPath } from 'node:url';
import { Client, connectRedis, type RedisClient, WorkerOps } from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import test from 'ava';
import { hasTmux, screenUntil, Tmux } from './tmux.js';

const TUI_BIN = fileURLToPath(new URL('../../../bin/dtps-tui.js', import.meta.url));
const e2e = hasTmux() ? test : test.skip;
if (!hasTmux()) process.stderr.write('dtps-tui limits e2e: SKIPPED — tmux is not installed\n');

e2e('the Overview shows the limits; L sets and clears one, P pauses and resumes the queue', async (t) => {
  t.timeout(120_000);
  const server = await RedisServer.start();
  const prefix = uniquePrefix();
  const tmux = new Tmux();
  let redis: RedisClient | undefined;
  try {
    redis = await connectRedis(server.url, { maxRetriesPerRequest: 1 });
    const client = new Client({ redis, prefix });
    await client.submitMany(Array.from({ length: 10 }, () => ({ type: 'echo' })));
    await client.setQueueLimit('default', { scope: 'type', key: 'echo', concurrency: 2 });
    // A claim for all ten: the cap lets two start and holds the other eight back.
    const { claim } = await new WorkerOps(client.ctx, 'e2e-w').cycle('default', {
      claim: { max: 10, start: 10 },
    });
    t.is(claim.tasks.length, 2);

    const env = [
      `PATH=${process.env.PATH}`,
      `HOME=${process.env.HOME}`,
      'TERM=xterm-256color',
      'LANG=C.UTF-8',
      `DTPS_REDIS_URL=${server.url}`,
      `DTPS_PREFIX=${prefix}`,
    ];
    tmux.start(`env -i ${env.map((e) => `'${e}'`).join(' ')} '${process.execPath}' '${TUI_BIN}'`);
    await screenUntil(tmux, /active · 1 limit/, 'the flow line');
    await screenUntil(tmux, /type echo +cap 2 running 2 held back 8/, 'the cap with what it holds');

    // L: a rate on the whole queue (do, scope stay; Tab to the rate; per stays 1000).
    tmux.keys('L');
    await screenUntil(tmux, /Limit of queue default/, 'the limit form');
    for (let i = 0; i < 3; i++) tmux.keys('Tab');
    tmux.keys('50', true);
    tmux.keys('Enter');
    await screenUntil(tmux, /limit queue of default set: rate 50\/1000ms, no cap/, 'the notice');
    const withRate = await client.queueState('default');
    t.like(
      withRate.limits.find((l) => l.scope === 'queue'),
      { rate: { n: 50, perMs: 1000 }, concurrency: null },
    );
    const overview = await screenUntil(
      tmux,
      /queue +rate 50\/1s tokens left 50 held back 0/,
      'the rate on the Overview',
    );
    t.log(overview);

    // A bad value is refused in the form, naming the field; nothing is sent.
    tmux.keys('L');
    await screenUntil(tmux, /Limit of queue default/, 'the limit form again');
    for (let i = 0; i < 5; i++) tmux.keys('Tab');
    tmux.keys('0', true);
    tmux.keys('Enter');
    await screenUntil(tmux, /concurrency: must be a whole number from 1/, 'the refusal');
    tmux.keys('Escape');
    t.is((await client.queueState('default')).limits.length, 2, 'nothing changed');

    // L, clear, type echo: the cap goes, and the eight it held are back in the queue.
    tmux.keys('L');
    await screenUntil(tmux, /Limit of queue default/, 'the limit form, to clear');
    tmux.keys('Right');
    tmux.keys('Tab');
    tmux.keys('Right');
    tmux.keys('Tab');
    tmux.keys('echo', true);
    t.log(await screenUntil(tmux, /▶ type\/group +echo/, 'the form filled'));
    tmux.keys('Enter');
    await screenUntil(tmux, /limit type echo of default cleared \(8 released\)/, 'the clear notice');
    t.deepEqual(
      (await client.queueState('default')).limits.map((l) => l.scope),
      ['queue'],
    );

    // P: asks, then pauses the queue in Redis; P again resumes it.
    tmux.keys('P');
    await screenUntil(tmux, /Pause queue default\? .*\[y\/N\]/, 'the question');
    t.false((await client.queueState('default')).paused, 'nothing before the answer');
    tmux.keys('y');
    await screenUntil(tmux, /PAUSED · 1 limit/, 'the paused queue');
    t.true((await client.queueState('default')).paused);
    tmux.keys('P');
    await screenUntil(tmux, /queue default resumed/, 'the resume notice');
    t.false((await client.queueState('default')).paused);
    tmux.keys('q');
  } finally {
    tmux.kill();
    redis?.disconnect();
    await server.stop();
  }
});
