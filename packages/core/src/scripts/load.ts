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

/** A script or include names an include that does not exist, or includes form a cycle. */
export class ScriptSourceError extends Error {
  override readonly name = 'ScriptSourceError';
}

/** The include names a source asks for, in the order written. */
export function includesOf(source: string): string[] {
  return [...source.matchAll(INCLUDE)].map((m) => m[1]!);
}

/** A source without its `-- @include` lines. */
export function stripIncludes(source: string): string {
  return source.replace(INCLUDE, '');
}

/**
 * Every include that `sources` need, directly or through other includes, each
 * once and after the includes it uses itself (Lua sees a `local function` only
 * below its definition). `from` names the asking file in errors.
 */
export function resolveIncludes(
  sources: readonly { from: string; source: string }[],
  dir = LUA_DIR,
): { name: string; text: string }[] {
  const ordered: { name: string; text: string }[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string, from: string): void => {
    if (done.has(name)) return;
    if (path.includes(name))
      throw new ScriptSourceError(
        `circular include: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`,
      );
    let text: string;
    try {
      text = readInclude(name, dir);
    } catch {
      throw new ScriptSourceError(`${from} includes "${name}", but lua/includes/${name}.lua does not exist`);
    }
    path.push(name);
    for (const inner of includesOf(text)) visit(inner, `includes/${name}.lua`);
    path.pop();
    done.add(name);
    ordered.push({ name, text: stripIncludes(text) });
  };
  for (const { from, source } of sources) for (const name of includesOf(source)) visit(name, from);
  return ordered;
}

/**
 * Reads every `lua/<verbNoun>-<numberOfKeys>.lua` as EVAL runs it: the
 * includes it needs (see resolveIncludes) first, then its own body.
 */
export function loadScripts(dir = LUA_DIR): ScriptSource[] {
  return readScriptFiles(dir).map((f) => {
    const from = `${f.name}-${f.numberOfKeys}.lua`;
    const includes = resolveIncludes([{ from, source: f.source }], dir).map((i) => i.text);
    return {
      name: f.name,
      numberOfKeys: f.numberOfKeys,
      lua: [...includes, stripIncludes(f.source)].join('\n'),
    };
  });
}
