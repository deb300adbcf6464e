import { createHash } from 'node:crypto';
import { INCLUDE, LUA_DIR, readInclude, readScriptFiles } from './load.js';

/**
 * The scripts of lua/ as one Redis function library (Redis 7+): every include
 * once at the library's top level, every script's body as a function.
 *
 * Why: a script run with EVALSHA defines all of its includes' helpers again on
 * every call (a closure each, and their constants); on this project's 2-vCPU
 * VM that prologue was 15–20 µs per call with cold caches, at 500 calls/s —
 * as much as the rest of a small script. A function defines them once, when
 * the library loads.
 *
 * The library's name carries a hash of its code, and so do its functions'
 * names: two versions of dtps on one Redis (a rolling upgrade) each call their
 * own, and loading a library that is already there changes nothing.
 */
export interface ScriptLibrary {
  /** `dtps_<hash>`. */
  name: string;
  /** The library's source, `#!lua name=…` first. */
  code: string;
  /** Script name → function name. */
  functions: ReadonlyMap<string, string>;
}

function includesOf(source: string): string[] {
  return [...source.matchAll(INCLUDE)].map((m) => m[1]!);
}

function strip(source: string): string {
  return source.replace(INCLUDE, '');
}

/** The text of every include the scripts use, each after the includes it uses itself. */
function includesInOrder(sources: readonly string[], dir: string): string[] {
  const texts: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = readInclude(name, dir);
    for (const inner of includesOf(text)) visit(inner);
    texts.push(strip(text));
  };
  for (const source of sources) for (const name of includesOf(source)) visit(name);
  return texts;
}

export function buildLibrary(dir = LUA_DIR): ScriptLibrary {
  const scripts = readScriptFiles(dir);
  const includes = includesInOrder(
    scripts.map((s) => s.source),
    dir,
  );
  // The body of each function is the script as EVAL runs it: KEYS and ARGV are its parameters.
  const bodies = scripts.map(
    (s) =>
      `local function script_${s.name}(KEYS, ARGV)\n  resetRecord()\n${strip(s.source)}\nend\n` +
      `redis.register_function('@FN@_${s.name}', script_${s.name})\n`,
  );
  const code = [...includes, ...bodies].join('\n');
  const name = `dtps_${createHash('sha1').update(code).digest('hex').slice(0, 12)}`;
  return {
    name,
    code: `#!lua name=${name}\n${code.replaceAll('@FN@', name)}`,
    functions: new Map(scripts.map((s) => [s.name, `${name}_${s.name}`])),
  };
}
