/**
 * docs/configuration.md is the reference of every config key: it must name
 * each key of the schema with its environment variable, so that a new key
 * cannot land undocumented.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { CONFIG_LEAVES } from '../../src/config/index.js';

// dist/test/config → the repository root.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');

test('docs/configuration.md has a row for every config key, with its environment variable', (t) => {
  const doc = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const m of doc.matchAll(/^\| `([^`]+)` \| (.*)$/gm)) rows.set(m[1]!, m[2]!);
  const missing = CONFIG_LEAVES.filter((l) => !rows.get(l.path)?.includes(`\`${l.envName}\``)).map(
    (l) => l.path,
  );
  t.deepEqual(missing, []);
  const unknown = [...rows.keys()].filter((k) => !CONFIG_LEAVES.some((l) => l.path === k));
  t.deepEqual(unknown, [], 'no row for a key the schema does not have');
});
