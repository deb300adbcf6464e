/**
 * dtps's FCALL command (src/scripts/fcall-command.ts) writes what ioredis's
 * own command writes for the same arguments, byte for byte, and reads a reply
 * as ioredis's `utf8` reply encoding does: every Buffer, nested ones too, as
 * its UTF-8 text; numbers, nulls and errors as they are.
 */
import test from 'ava';
import { Command, ReplyError } from 'ioredis';
import { FcallCommand } from '../../src/scripts/fcall-command.js';

function ioredisBytes(args: string[]): string {
  const w = new Command('fcall', args, { replyEncoding: 'utf8' }).toWritable(undefined as never);
  return typeof w === 'string' ? w : w.toString('utf8');
}

test('the bytes written are those of ioredis for the same arguments, multi-byte text included', (t) => {
  const cases = [
    ['cycleTasks', '0'],
    ['cycleTasks', '2', 'dtps:{q}:ready', 'dtps:{q}:window:w', '1765000000000', '', 'null'],
    ['submitTasks', '1', 'k', '{"t":"noop","c":1,"p":5,"r":0}', '{"name":"Zoë 日本 🎉"}', '\r\n$3\r\n'],
  ];
  for (const args of cases) t.is(new FcallCommand(args, undefined).toWritable(), ioredisBytes(args));
});

test('a reply reads as ioredis reads it with utf8: Buffers as text at any depth, the rest unchanged', (t) => {
  const err = new ReplyError('ERR inner');
  const reply = [
    -1,
    0,
    Buffer.from('01JEABC'),
    null,
    [Buffer.from('nested'), 7, [Buffer.from('Zoë 🎉')]],
    err,
    Buffer.from(''),
  ];
  const read = new FcallCommand(['f', '0'], undefined).transformReply(reply as never) as unknown[];
  t.deepEqual(read, [-1, 0, '01JEABC', null, ['nested', 7, ['Zoë 🎉']], err, '']);
  t.is(read[5], err);
  t.is(new FcallCommand(['f', '0'], undefined).transformReply(Buffer.from('OK')), 'OK');
  t.is(new FcallCommand(['f', '0'], undefined).transformReply(42 as never), 42 as never);
});
