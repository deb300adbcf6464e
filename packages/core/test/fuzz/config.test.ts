/**
 * Fuzzing of config files through loadConfig: a file loads, or is refused
 * with a ConfigError naming the key and the file — never another exception.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { loadConfig } from '../../src/config/index.js';
import { ConfigError, DtpsError } from '../../src/errors.js';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dtps-config-fuzz-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Config-shaped objects: known keys, nested a level, holding any JSON. */
const known = fc.constantFrom(
  'redis',
  'queue',
  'prefix',
  'retention',
  'monitor',
  'worker',
  'payloadMaxBytes',
  'url',
  'succeeded',
  'max',
  'port',
  'token',
);
const shaped = fc.dictionary(known, fc.oneof(fc.jsonValue(), fc.dictionary(known, fc.jsonValue())));

/** Loads `text` as .dtpsrc.<ext>; true when it loaded or failed with a typed error. */
async function loadsOrTyped(ext: string, text: string): Promise<boolean> {
  const file = `.dtpsrc.${ext}`;
  await writeFile(join(dir, file), text);
  try {
    await loadConfig({ cwd: dir, stopDir: dir, env: {}, configFile: file });
    return true;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DtpsError) return true;
    throw new Error(`${ext} file ${JSON.stringify(text.slice(0, 200))} threw ${String(err)}`, { cause: err });
  }
}

test('config files: shaped JSON, any JSON and any text load or fail with a ConfigError', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        shaped.map((o) => JSON.stringify(o)),
        fc.json(),
        fc.string(),
        fc.constant('a: [\n'),
        fc.constant(''),
      ),
      fc.constantFrom('yaml', 'json'),
      async (text, ext) => loadsOrTyped(ext, text),
    ),
    { numRuns: 150 },
  );
  t.pass();
});
