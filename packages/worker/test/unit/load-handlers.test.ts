import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DtpsError } from '@dtps/core';
import test from 'ava';
import { DEMO_HANDLERS_URL, handlerModuleUrl, loadHandlerModule } from '../../src/handlers/load.js';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dtps-handlers-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function moduleFile(name: string, source: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, source);
  return file;
}

async function expectHandlersError(t: import('ava').ExecutionContext, file: string, message: RegExp) {
  const err = await t.throwsAsync(loadHandlerModule(file), { instanceOf: DtpsError });
  t.is(err?.field, 'handlers');
  t.is(err?.code, 'invalid_argument');
  t.true(err!.message.includes(file), `the message names the file: ${err?.message}`);
  t.regex(err!.message, message);
  return err;
}

test('a good module: its default export is the handler map', async (t) => {
  const file = await moduleFile('good.mjs', 'export default { a: () => 1, b: async (p) => p };\n');
  const map = await loadHandlerModule(file);
  t.deepEqual(Object.keys(map).sort(), ['a', 'b']);
  t.is(await map.b!('x', {} as never), 'x');
  const byUrl = await loadHandlerModule(pathToFileURL(file).href);
  t.deepEqual(Object.keys(byUrl).sort(), ['a', 'b']);
});

test('a module without a default export: its named exports are the map', async (t) => {
  const file = await moduleFile(
    'named.mjs',
    'export const a = () => 1;\nexport function b() { return 2; }\n',
  );
  t.deepEqual(Object.keys(await loadHandlerModule(file)).sort(), ['a', 'b']);
});

test('a relative path is resolved against cwd', async (t) => {
  await moduleFile('rel.mjs', 'export default { r: () => 1 };\n');
  t.deepEqual(Object.keys(await loadHandlerModule('./rel.mjs', dir)), ['r']);
  t.is(handlerModuleUrl('rel.mjs', dir), pathToFileURL(join(dir, 'rel.mjs')).href);
});

test('the demo handlers load as a handler module', async (t) => {
  t.deepEqual(Object.keys(await loadHandlerModule(DEMO_HANDLERS_URL)).sort(), [
    'cpu',
    'echo',
    'fail',
    'flaky',
    'noop',
    'sleep',
  ]);
});

test('a missing file', async (t) => {
  const err = await expectHandlersError(t, join(dir, 'nope.mjs'), /cannot load/);
  t.truthy(err?.cause, 'keeps the import error as cause');
});

test('a module that does not even parse', async (t) => {
  await expectHandlersError(t, await moduleFile('syntax.mjs', 'export default {{;\n'), /cannot load/);
});

test('a default export that is not an object', async (t) => {
  await expectHandlersError(
    t,
    await moduleFile('num.mjs', 'export default 42;\n'),
    /must export default an object.*got number/,
  );
  await expectHandlersError(t, await moduleFile('fn.mjs', 'export default function () {}\n'), /got function/);
  await expectHandlersError(t, await moduleFile('arr.mjs', 'export default [() => 1];\n'), /got an array/);
  await expectHandlersError(t, await moduleFile('str.mjs', "export default 'handlers';\n"), /got string/);
});

test('an empty map', async (t) => {
  await expectHandlersError(t, await moduleFile('empty.mjs', 'export default {};\n'), /exports no handlers/);
});

test('an entry that is not a function', async (t) => {
  await expectHandlersError(
    t,
    await moduleFile('entry.mjs', "export default { ok: () => 1, nope: 'x' };\n"),
    /"nope" must be a function, got string/,
  );
});
