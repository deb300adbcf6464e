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
export const SCRIPT_FILE = /^(\w+)-(\d+)\.lua$/;

function inline(source: string, seen: Set<string>): string {
  return source.replace(INCLUDE, (_line, name: string) => {
    if (seen.has(name)) return `-- (${name} already included)`;
    seen.add(name);
    return inline(readFileSync(join(LUA_DIR, 'includes', `${name}.lua`), 'utf8'), seen);
  });
}

/**
 * Reads every `lua/<verbNoun>-<numberOfKeys>.lua`, inlining `-- @include x`
 * lines from `lua/includes/x.lua` (each include once per script).
 */
export function loadScripts(dir = LUA_DIR): ScriptSource[] {
  const out: ScriptSource[] = [];
  for (const file of readdirSync(dir)) {
    const m = SCRIPT_FILE.exec(file);
    if (!m) continue;
    out.push({
      name: m[1]!,
      numberOfKeys: Number(m[2]),
      lua: inline(readFileSync(join(dir, file), 'utf8'), new Set()),
    });
  }
  return out;
}
