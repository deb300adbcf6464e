/** `dtps submit --dedup-ttl MS` and `--debounce replace|drop`, flags and JSON Lines (docs/dedup.md). */
import test from 'ava';
import { useCli } from '../helpers/setup.js';

const cli = useCli(test);

test('--debounce replace gives the waiting task the later payload; drop keeps it', async (t) => {
  const s = cli.scope();
  const key = ['--idempotency-key', 'user-7', '--delay', '60000'];
  const first = (await s.run(['submit', ...key, '--payload', '1', '--json'])).json<{ id: string }>();
  const replaced = await s.run(['submit', ...key, '--payload', '2', '--debounce', 'replace', '--json']);
  t.is(replaced.code, 0, replaced.stderr);
  t.deepEqual(replaced.json(), {
    id: first.id,
    queue: 'default',
    state: 'scheduled',
    duplicate: true,
    replaced: true,
  });
  const human = await s.run(['submit', ...key, '--payload', '3', '--debounce', 'replace']);
  t.regex(human.stdout, /, replaced: the earlier task with this idempotency key took this payload\)\n$/);
  const dropped = await s.run(['submit', ...key, '--payload', '4', '--debounce', 'drop', '--json']);
  t.deepEqual(dropped.json(), { id: first.id, queue: 'default', state: 'scheduled', duplicate: true });
  t.is((await s.client().get(first.id)).payload, 3);
});

test('--dedup-ttl: once the key lapsed, the same key makes a new task', async (t) => {
  const s = cli.scope();
  const first = (await s.run(['submit', '--idempotency-key', 'k', '--dedup-ttl', '1', '--json'])).json<{
    id: string;
  }>();
  await new Promise((res) => setTimeout(res, 20));
  const second = await s.run(['submit', '--idempotency-key', 'k', '--dedup-ttl', '600000', '--json']);
  t.is(second.code, 0, second.stderr);
  t.like(second.json(), { duplicate: false });
  t.not(second.json<{ id: string }>().id, first.id);
  const third = await s.run(['submit', '--idempotency-key', 'k', '--json']);
  t.like(third.json(), { id: second.json<{ id: string }>().id, duplicate: true });
});

test('JSON Lines take dedupTtlMs (or dedupTtl) and debounce', async (t) => {
  const s = cli.scope();
  const lines = [
    '{"type":"echo","payload":1,"idempotencyKey":"a","debounce":"replace","delay":60000}',
    '{"type":"echo","payload":2,"idempotencyKey":"a","debounce":"replace"}',
    '{"type":"echo","idempotencyKey":"b","dedupTtl":60000}',
    '{"type":"echo","idempotencyKey":"b","dedupTtlMs":60000}',
  ];
  const r = await s.run(['submit', '--file', '-', '--json'], { input: lines.join('\n') });
  t.is(r.code, 0, r.stderr);
  const out = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; duplicate: boolean; replaced?: boolean });
  t.is(out[0]!.id, out[1]!.id);
  t.true(out[1]!.replaced);
  t.is(out[2]!.id, out[3]!.id);
  t.is((await s.client().get(out[0]!.id)).payload, 2);
});

test('bad --dedup-ttl and --debounce are refused with exit 2, naming the flag; nothing is written', async (t) => {
  const s = cli.scope();
  const cases: [string[], RegExp, string][] = [
    [['--dedup-ttl', '1000'], /--dedup-ttl: needs an idempotencyKey/, 'dedupTtlMs'],
    [['--idempotency-key', 'k', '--dedup-ttl', 'soon'], /--dedup-ttl: must be an integer/, 'dedupTtlMs'],
    [['--idempotency-key', 'k', '--dedup-ttl', '0'], /--dedup-ttl: must be an integer from 1/, 'dedupTtlMs'],
    [['--idempotency-key', 'k', '--debounce', 'merge'], /--debounce: must be replace or drop/, 'debounce'],
    [['--debounce', 'drop'], /--debounce: needs an idempotencyKey/, 'debounce'],
  ];
  for (const [flags, expected, field] of cases) {
    const r = await s.run(['submit', ...flags]);
    t.is(r.code, 2, flags.join(' '));
    t.regex(r.stderr, expected, flags.join(' '));
    const json = await s.run(['submit', ...flags, '--json']);
    t.like(json.json(), { error: { code: 'invalid_argument', field } }, flags.join(' '));
  }
  t.deepEqual(await s.client().queues(), []);
});
