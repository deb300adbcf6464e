import { createHash } from 'node:crypto';
import { LUA_DIR, readScriptFiles, resolveIncludes, stripIncludes } from './load.js';

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

export function buildLibrary(dir = LUA_DIR): ScriptLibrary {
  const scripts = readScriptFiles(dir);
  const includes = resolveIncludes(
    scripts.map((s) => ({ from: `${s.name}-${s.numberOfKeys}.lua`, source: s.source })),
    dir,
  ).map((i) => i.text);
  // The body of each function is the script as EVAL runs it, unchanged: KEYS and ARGV are its
  // parameters. The includes' top-level locals live as long as the library, so they hold no
  // state of a call: what a call records is in the record its script makes (record.lua).
  const bodies = scripts.map(
    (s) =>
      `local function script_${s.name}(KEYS, ARGV)\n${stripIncludes(s.source)}\nend\n` +
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
