import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zeroCounts } from '@dtps/core';
import test from 'ava';
import { type Scope, useCli } from '../helpers/setup.js';

const cli = useCli(test);

const EMPTY_COUNTS = zeroCounts();

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(tmpdir(), `${name}-${process.pid}-${Math.random().toString(36).slice(2)}.jsonl`);
  await writeFile(path, text);
  return path;
}

async function nothingSubmitted(t: { deepEqual(a: unknown, b: unknown): void }, s: Scope): Promise<void> {
  const stats = await s.run(['stats', '--json']);
  t.deepEqual(stats.json(), { queues: { default: EMPTY_COUNTS } });
}

test('--file submits one task a line, in order, resolving refs', async (t) => {
  const s = cli.scope();
  const file = await fileWith(
    'three',
    [
      '{"type":"echo","payload":{"n":1},"ref":"first"}',
      '',
      '{"type":"echo","dependsOn":["first"],"retries":1,"timeout":500}',
      '{"priority":9,"delayMs":60000}',
    ].join('\n'),
  );
  const r = await s.run(['submit', '--file', file, '--json']);
  t.is(r.code, 0, r.stderr);
  const lines = r.lines<{ id: string; state: string; ref?: string }>();
  t.is(lines.length, 3);
  t.like(lines[0], { state: 'queued', ref: 'first' });
  t.like(lines[1], { state: 'pending' });
  t.like(lines[2], { state: 'scheduled' });
  const second = await s.client().get(lines[1]!.id);
  t.deepEqual(second.dependsOn, [lines[0]!.id]);
  t.like(second, { maxRetries: 1, timeoutMs: 500 });
  t.like(await s.client().get(lines[2]!.id), { type: 'noop', priority: 9 });

  const human = await s.run(['submit', '--file', file]);
  t.is(human.stdout, 'submitted 3 tasks (1 queued, 1 pending, 1 scheduled)\n');
});

test('a bad line 2 means exit 2 naming line 2, and nothing is submitted', async (t) => {
  const s = cli.scope();
  const file = await fileWith('bad', '{"type":"echo"}\n{"type":"echo","priority":"high"}\n{"type":"echo"}\n');
  const r = await s.run(['submit', '--file', file]);
  t.is(r.code, 2);
  t.is(r.stderr, 'dtps: line 2: priority: must be an integer from 1 to 10, got "high"\n');
  const json = await s.run(['submit', '--file', file, '--json']);
  t.is(json.code, 2);
  t.like(json.json(), { error: { code: 'invalid_argument', field: 'priority', line: 2 } });
  await nothingSubmitted(t, s);
});

test('lines that are not JSON objects, cycles and unknown dependencies name their line', async (t) => {
  const s = cli.scope();
  const cases: [string, RegExp][] = [
    ['{"type":"echo"}\n{"type":\n', /^dtps: line 2: not valid JSON/],
    ['{"type":"echo"}\n\n[1,2]\n', /^dtps: line 3: a task spec must be a JSON object/],
    [
      '{"ref":"a","dependsOn":["b"]}\n{"ref":"b","dependsOn":["a"]}\n',
      /^dtps: line 1: dependsOn: dependency cycle a -> b -> a/,
    ],
    [
      '{"type":"x"}\n{"type":"x","dependsOn":["nope"]}\n',
      /^dtps: line 2: dependsOn: task nope does not exist/,
    ],
    ['{"type":"x","retries":1,"maxRetries":2}\n', /^dtps: line 1: give either maxRetries or retries/],
    ['{"type":"x","retries":-1}\n', /^dtps: line 1: retries: must be an integer from 0 to 100/],
    ['{"type":"x","colour":"red"}\n', /^dtps: line 1: colour: is not a task field/],
  ];
  for (const [text, expected] of cases) {
    const r = await s.run(['submit', '--file', await fileWith('case', text)]);
    t.is(r.code, 2, text);
    t.regex(r.stderr, expected, text);
  }
  await nothingSubmitted(t, s);
});

test('--file - reads standard input; flags are defaults for every line', async (t) => {
  const s = cli.scope();
  const r = await s.run(['submit', '--file', '-', '--priority', '4', '--json'], {
    input: '{"type":"echo"}\r\n{"type":"echo","priority":8}\r\n',
  });
  t.is(r.code, 0, r.stderr);
  const [a, b] = r.lines<{ id: string }>();
  t.is((await s.client().get(a!.id)).priority, 4);
  t.is((await s.client().get(b!.id)).priority, 8);
});

test('a missing file is bad input', async (t) => {
  const s = cli.scope();
  const r = await s.run(['submit', '--file', join(tmpdir(), 'no-such-file.jsonl')]);
  t.is(r.code, 2);
  t.regex(r.stderr, /--file: cannot read .*no such file/);
});

test('a big file goes in batches, all or nothing', async (t) => {
  const s = cli.scope();
  const n = 12_001;
  const good = Array.from({ length: n }, (_, i) =>
    i === 1
      ? '{"type":"echo","ref":"root"}'
      : i % 5000 === 4999
        ? '{"dependsOn":["root"]}'
        : '{"type":"echo"}',
  );
  // The last line is bad: nothing at all may be written.
  const bad = [...good.slice(0, -1), '{"type":"echo","delayMs":"soon"}'];
  const refused = await s.run(['submit', '--file', '-'], { input: bad.join('\n') });
  t.is(refused.code, 2);
  t.regex(refused.stderr, new RegExp(`^dtps: line ${n}: delayMs:`));
  await nothingSubmitted(t, s);

  const r = await s.run(['submit', '--file', '-', '--json'], { input: good.join('\n') });
  t.is(r.code, 0, r.stderr);
  const lines = r.lines<{ id: string; state: string }>();
  t.is(lines.length, n);
  t.is(new Set(lines.map((l) => l.id)).size, n);
  t.is(lines[4999]!.state, 'pending');
  t.deepEqual((await s.client().get(lines[9999]!.id)).dependsOn, [lines[1]!.id]);
  t.like(await s.client().counts(), { queued: n - 2, pending: 2 });
});

test('--wait and --idempotency-key do not combine with --file', async (t) => {
  const s = cli.scope();
  for (const flag of ['--wait', '--idempotency-key=k']) {
    const r = await s.run(['submit', '--file', '-', flag], { input: '{"type":"echo"}\n' });
    t.is(r.code, 2, flag);
  }
  await nothingSubmitted(t, s);
});
