#!/usr/bin/env node
// The `dtps` launcher that package.json's `bin` names. It is committed, not
// built: pnpm links a workspace package's bin only when the file exists at
// install time, and dist/ does not exist until `pnpm build` (DESIGN §6:
// `pnpm install && pnpm build`, then `pnpm exec dtps`). The CLI is src/bin.ts.
//
// It runs the bundle that `pnpm build` makes of it (scripts/bundle.mjs): one
// CommonJS file, compiled with V8's code cache written at build time, so that
// a command starts in a fraction of the time that loading some 260 modules
// takes. Without a bundle, or with one older than the last `tsc -b` (a
// developer who only compiled), it imports the compiled modules themselves.
//
// CommonJS (bin/package.json), unlike the rest of the package: that spares
// Node's ES module loader at every start.
const { readFileSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const here = (path) => join(__dirname, path);
const BUNDLE = here('../dist/bundle/dtps.cjs');
/** What `tsc -b` rewrites whenever it compiles the packages the bundle holds. */
const BUILD_INFO = [here('../dist/tsconfig.tsbuildinfo'), here('../../core/dist/tsconfig.tsbuildinfo')];

const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/** The bundle exists and was made after the last compile (no build info: an installed package). */
function bundleIsCurrent() {
  const made = mtime(BUNDLE);
  return made !== undefined && BUILD_INFO.every((info) => (mtime(info) ?? 0) <= made);
}

function readIfThere(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Runs the bundle as Node runs a CommonJS module, with the code cache when it belongs to this bundle. */
function runBundle() {
  const source = readFileSync(BUNDLE, 'utf8');
  const writeCacheTo = process.env.DTPS_WRITE_COMPILE_CACHE;
  // The cache this very bundle names (by its hash) in its last line.
  const cacheName = /\/\/# dtpsCodeCache=(\S+)\s*$/.exec(source.slice(-200))?.[1];
  const cachedData =
    writeCacheTo === undefined && cacheName !== undefined
      ? readIfThere(join(dirname(BUNDLE), cacheName))
      : undefined;
  // __dtpsImport: the bundle's import() of a dtps.config.mjs (cosmiconfig) or of TypeScript is
  // this module's own; a vm.Script's import() is experimental in Node 20 and fails with a code cache.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __dtpsImport) {${source}\n})`,
    { filename: BUNDLE, cachedData },
  );
  if (writeCacheTo !== undefined) {
    // Build time only (scripts/bundle.mjs): the cache, once the run has compiled what it used.
    delete process.env.DTPS_WRITE_COMPILE_CACHE;
    process.once('exit', () => writeFileSync(writeCacheTo, script.createCachedData()));
  }
  const module = { exports: {} };
  const run = script.runInThisContext();
  run(
    module.exports,
    createRequire(BUNDLE),
    module,
    BUNDLE,
    dirname(BUNDLE),
    (specifier) => import(specifier),
  );
}

if (bundleIsCurrent()) {
  runBundle();
} else {
  import('../dist/src/bin.js').catch((err) => {
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/src/bin.js')) {
      process.stderr.write('dtps: not built yet; run `pnpm build` at the repository root\n');
      process.exit(2);
    }
    throw err;
  });
}
