/**
 * The Lua loader (src/scripts/load.ts): every script and include states the
 * includes it uses, nested includes resolve in dependency order, and a
 * missing or circular include is an error naming it. No Redis needed.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { includesOf, LUA_DIR, loadScripts, ScriptSourceError } from '../../src/scripts/load.js';

/** Names a Lua text defines at its top level: `local function f`, `local a, b =`, `local x`. */
function definedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^local function (\w+)/gm)) names.add(m[1]!);
  for (const m of text.matchAll(/^local ([\w, ]+?)\s*(?:=|$)/gm))
    for (const n of m[1]!.split(',')) names.add(n.trim());
  return names;
}

/** The text without comments and string literals, so that only code is searched for names. */
function codeOf(text: string): string {
  return text
    .replace(/--\[\[[\s\S]*?\]\]/g, '')
    .replace(/--.*$/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
}

function luaFiles(): { file: string; text: string; includes: string[] }[] {
  const read = (dir: string, prefix: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.lua'))
      .map((f) => {
        const text = readFileSync(join(dir, f), 'utf8');
        return { file: `${prefix}${f}`, text, includes: includesOf(text) };
      });
  return [...read(LUA_DIR, ''), ...read(join(LUA_DIR, 'includes'), 'includes/')];
}

test('every script and include uses only what it defines or includes (directly or through its includes)', (t) => {
  const files = luaFiles();
  const byInclude = new Map(
    files.filter((f) => f.file.startsWith('includes/')).map((f) => [f.file.slice(9, -4), f]),
  );
  const definedBy = new Map<string, string>();
  for (const [name, f] of byInclude) for (const d of definedNames(f.text)) definedBy.set(d, name);
  const reachable = (start: readonly string[]): Set<string> => {
    const seen = new Set<string>();
    const stack = [...start];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(byInclude.get(n)?.includes ?? []));
    }
    return seen;
  };
  const problems: string[] = [];
  for (const f of files) {
    const own = definedNames(f.text);
    const visible = reachable(f.includes);
    const code = codeOf(f.text);
    for (const [name, include] of definedBy) {
      if (own.has(name) || visible.has(include)) continue;
      if (new RegExp(`\\b${name}\\b`).test(code))
        problems.push(`${f.file} uses ${name} of ${include}.lua without including it`);
    }
  }
  t.deepEqual(problems, []);
});

test('scripts load with their nested includes in dependency order, each once', (t) => {
  const scripts = loadScripts();
  t.true(scripts.length > 10);
  for (const s of scripts) {
    // keys.lua defines taskKey; record.lua (which needs keys) defines note: keys must come first.
    const keys = s.lua.indexOf('local function taskKey(');
    const record = s.lua.indexOf('local function note(');
    if (record >= 0) t.true(keys >= 0 && keys < record, `${s.name}: keys before record`);
    t.is(s.lua.split('local function taskKey(').length - 1, keys >= 0 ? 1 : 0, `${s.name}: keys once`);
    t.false(s.lua.includes('-- @include'), `${s.name}: no include line left`);
  }
});

function luaDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dtps-lua-'));
  mkdirSync(join(dir, 'includes'));
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

test('a missing include is an error naming it and the file that asked', (t) => {
  const dir = luaDir({
    'doThing-1.lua': '-- @include a\nreturn 1\n',
    'includes/a.lua': '-- @include nowhere\nlocal function a() end\n',
  });
  const err = t.throws(() => loadScripts(dir), { instanceOf: ScriptSourceError });
  t.regex(err.message, /includes\/a\.lua includes "nowhere"/);
});

test('a circular include is an error naming the cycle', (t) => {
  const dir = luaDir({
    'doThing-1.lua': '-- @include a\nreturn 1\n',
    'includes/a.lua': '-- @include b\nlocal function a() end\n',
    'includes/b.lua': '-- @include a\nlocal function b() end\n',
  });
  const err = t.throws(() => loadScripts(dir), { instanceOf: ScriptSourceError });
  t.regex(err.message, /circular include: a → b → a/);
});

test('an include used by two others is inlined once, before both', (t) => {
  const dir = luaDir({
    'doThing-1.lua': '-- @include b\n-- @include c\nreturn 1\n',
    'includes/a.lua': 'local function a() end\n',
    'includes/b.lua': '-- @include a\nlocal function b() a() end\n',
    'includes/c.lua': '-- @include a\nlocal function c() a() end\n',
  });
  const [s] = loadScripts(dir);
  const order = ['function a(', 'function b(', 'function c(', 'return 1'].map((x) => s!.lua.indexOf(x));
  t.deepEqual(
    [...order].sort((x, y) => x - y),
    order,
  );
  t.true(order.every((i) => i >= 0));
  t.is(s!.lua.split('function a(').length, 2);
});

test('no long comment or string holds a nested [[: the Lua of Redis built from its own sources refuses them', (t) => {
  // Redis's bundled Lua 5.1 (redis.io builds, the official images) is compiled with
  // LUA_COMPAT_LSTR 1: a `[[` inside a `[[ … ]]` is a compile error ("nesting of [[...]] is
  // deprecated"), which fails the whole function library. Debian's package uses the system Lua,
  // which takes it, so only a check of the text catches it here.
  const nested = luaFiles().flatMap(({ file, text }) =>
    [...text.matchAll(/\[\[([\s\S]*?)\]\]/g)]
      .filter((m) => m[1]!.includes('[['))
      .map((m) => `${file}:${text.slice(0, m.index).split('\n').length}`),
  );
  t.deepEqual(nested, []);
});
