import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the Lua scripts: `packages/core/lua`, beside `src` and `dist`. */
export const LUA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'lua');

/** One script, ready to register: its name, its number of KEYS, its source with includes inlined. */
export interface ScriptSource {
  name: string;
  numberOfKeys: number;
  lua: string;
}

/** An `-- @include name` line. */
export const INCLUDE = /^-- @include (\w+)\s*$/gm;
/** `<verbNoun>-<numberOfKeys>.lua`. */
const SCRIPT_FILE = /^(\w+)-(\d+)\.lua$/;

/** The text of `lua/includes/<name>.lua`. */
export function readInclude(name: string, dir = LUA_DIR): string {
  return readFileSync(join(dir, 'includes', `${name}.lua`), 'utf8');
}

/** Every `lua/<verbNoun>-<numberOfKeys>.lua` as written (includes not inlined), by file name. */
export function readScriptFiles(dir = LUA_DIR): { name: string; numberOfKeys: number; source: string }[] {
  const out: { name: string; numberOfKeys: number; source: string }[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = SCRIPT_FILE.exec(file);
    if (m)
      out.push({ name: m[1]!, numberOfKeys: Number(m[2]), source: readFileSync(join(dir, file), 'utf8') });
  }
  return out;
}

function inline(source: string, seen: Set<string>, dir: string): string {
  return source.replace(INCLUDE, (_line, name: string) => {
    if (seen.has(name)) return `-- (${name} already included)`;
    seen.add(name);
    return inline(readInclude(name, dir), seen, dir);
  });
}

/**
 * Reads every `lua/<verbNoun>-<numberOfKeys>.lua`, inlining `-- @include x`
 * lines from `lua/includes/x.lua` (each include once per script).
 */
export function loadScripts(dir = LUA_DIR): ScriptSource[] {
  return readScriptFiles(dir).map((f) => ({
    name: f.name,
    numberOfKeys: f.numberOfKeys,
    lua: inline(f.source, new Set(), dir),
  }));
}
