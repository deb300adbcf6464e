/** `dtps status` shows the task's stored log lines: `logs` in --json, a block for people. */
import test from 'ava';
import { useCli } from '../helpers/setup.js';

const cli = useCli(test);

test('status shows the lines a handler logged: --json "logs" and a readable block', async (t) => {
  const s = cli.scope();
  const { id } = await s.client().submit({ type: 'echo' });
  const ops = s.worker('w1');
  await ops.cycle('default', { claim: { max: 1, start: 1 } });
  const at = Date.parse('2030-01-22T15:04:05.000Z');
  await ops.appendLogs('default', [
    {
      id,
      attempt: 1,
      lines: [
        [at, 'resizing 3 images'],
        [at + 1, 'two\nlines \u001b[31mred'],
      ],
    },
  ]);
  await ops.complete('default', [{ id, attempt: 1, result: null }]);

  const json = await s.run(['status', id, '--json']);
  t.is(json.code, 0, json.stderr);
  t.deepEqual(json.json<{ logs: unknown }>().logs, [
    { at, attempt: 1, message: 'resizing 3 images' },
    { at: at + 1, attempt: 1, message: 'two\nlines \u001b[31mred' },
  ]);

  const human = await s.run(['status', id]);
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /^logs \(2 lines, oldest first\)$/m);
  t.regex(human.stdout, /^ {2}2030-01-22T15:04:05\.000Z {2}#1 {2}resizing 3 images$/m);
  // A multi-line message stays under its line; a terminal escape is shown, not sent.
  t.regex(human.stdout, /#1 {2}two\n {32}lines \\u001b\[31mred$/m);
  t.false(human.stdout.includes('\u001b'));

  // A task that logged nothing: "logs": [] and no block.
  const quiet = await s.client().submit({ type: 'echo' });
  t.deepEqual((await s.run(['status', quiet.id, '--json'])).json<{ logs: unknown }>().logs, []);
  t.notRegex((await s.run(['status', quiet.id])).stdout, /^logs/m);
});
