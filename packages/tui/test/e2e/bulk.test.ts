/**
 * The console's bulk action end to end: the real `dtps-tui` in tmux against
 * a real redis-server. The Tasks view filtered on failed tasks, R asks how
 * many it will retry, y starts it, the status line reports the end, and
 * Redis holds the result: every failed task retried, nothing else touched.
 */
import { fileURLToPath } from 'node:url';
import { Client, connectRedis, type RedisClient, WorkerOps } from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import test from 'ava';
import { hasTmux, screenUntil, Tmux } from './tmux.js';

const TUI_BIN = fileURLToPath(new URL('../../../bin/dtps-tui.js', import.meta.url));
const e2e = hasTmux() ? test : test.skip;
if (!hasTmux()) process.stderr.write('dtps-tui bulk e2e: SKIPPED — tmux is not installed\n');

e2e('R in the Tasks view retries every failed task the filter shows, after a question', async (t) => {
  t.timeout(120_000);
  const server = await RedisServer.start();
  const prefix = uniquePrefix();
  const tmux = new Tmux();
  let redis: RedisClient | undefined;
  try {
    redis = await connectRedis(server.url, { maxRetriesPerRequest: 1 });
    const client = new Client({ redis, prefix });
    const failed = 1500;
    const ops = new WorkerOps(client.ctx, 'e2e-fail');
    for (let i = 0; i < failed; i += 500) {
      await client.submitMany(Array.from({ length: 500 }, () => ({ type: 'fail', maxRetries: 0 })));
      const { claim } = await ops.cycle('default', { claim: { max: 500, start: 500 } });
      await ops.fail(
        'default',
        claim.tasks.map((x) => ({
          id: x.id,
          attempt: x.attempt,
          message: 'x',
          reason: 'handler_error',
          permanent: true,
        })),
      );
    }
    await client.submitMany(Array.from({ length: 5 }, () => ({ type: 'echo' })));

    const env = [
      `PATH=${process.env.PATH}`,
      `HOME=${process.env.HOME}`,
      'TERM=xterm-256color',
      'LANG=C.UTF-8',
      `DTPS_REDIS_URL=${server.url}`,
      `DTPS_PREFIX=${prefix}`,
    ];
    tmux.start(`env -i ${env.map((e) => `'${e}'`).join(' ')} '${process.execPath}' '${TUI_BIN}'`);
    await screenUntil(tmux, /1 Overview/, 'the console');
    tmux.keys('3');
    await screenUntil(tmux, /ID +TYPE +STATE/, 'the task list');
    // R with no state chosen: the console says to choose one, and does nothing.
    tmux.keys('R');
    await screenUntil(tmux, /choose a state with \/ first/, 'the refusal without a state');
    tmux.keys('/');
    await screenUntil(tmux, /Filter tasks/, 'the filter form');
    for (const s of ['cancelled', 'expired', 'failed']) {
      tmux.keys('Left');
      await screenUntil(tmux, new RegExp(`▶ state +◀ +${s}`), `the state filter on ${s}`);
    }
    tmux.keys('Enter');
    await screenUntil(tmux, /filter queue default · state failed[\s\S]*fail +failed/, 'the failed tasks');
    tmux.keys('R');
    await screenUntil(
      tmux,
      new RegExp(`Retry all ${failed} failed tasks of queue default\\? \\[y/N\\]`),
      'the question',
    );
    t.is((await client.counts()).failed, failed, 'nothing before the answer');
    tmux.keys('y');
    await screenUntil(
      tmux,
      new RegExp(`bulk retry: ${failed} of ${failed} matching tasks done`),
      'the end of the bulk retry',
      60_000,
    );
    const counts = await client.counts();
    t.is(counts.failed, 0);
    t.is(counts.queued, failed + 5);
    tmux.keys('q');
  } finally {
    tmux.kill();
    redis?.disconnect();
    await server.stop();
  }
});
