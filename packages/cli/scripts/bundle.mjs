// Bundles the built `dtps` (dist/src/bin.js and everything it imports: @dtps/core,
// ioredis, zod, meow, cosmiconfig) into one CommonJS file, dist/bundle/dtps.cjs,
// and writes V8's code cache for it, dist/bundle/dtps.<hash>.cache. bin/dtps.js
// runs that file with that cache: a command then neither resolves nor reads
// some 260 module files nor compiles their code again, which was most of its
// start-up time (issue 17, point 9). Run by the root `pnpm build`, after `tsc -b`.
//
// Why CommonJS: Node 20 can reuse compiled code only for a script (vm.Script's
// cachedData); it has no compile cache for ES modules (module.enableCompileCache
// is Node 22).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CLI = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = dirname(CLI);
const OUT_DIR = join(CLI, 'dist', 'bundle');
const BUNDLE = join(OUT_DIR, 'dtps.cjs');

/** The workspace packages whose code the bundle may hold; bin/dtps.js checks their build for staleness. */
const BUNDLED_PACKAGES = ['cli', 'core'];

/**
 * Our packages find files beside their modules through import.meta.url (core's
 * Lua scripts, `dtps up`'s programs, pino and the OpenTelemetry API required
 * from core). In the bundle each module keeps the URL of its original file,
 * found at run time through the package's own entry (`@dtps/core` resolves to
 * its dist/src/index.js), so this holds in the workspace and when installed.
 * Other packages' modules (meow's yargs-parser) get the bundle's URL.
 */
const originalUrls = {
  name: 'original-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.m?js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const rel = relative(PACKAGES, args.path).split(sep);
      const ours = rel[0] !== '..' && rel[1] === 'dist' && rel[2] === 'src';
      const trim = TRIMS.find((t) => t.file.test(args.path));
      if (!ours && trim === undefined && !source.includes('import.meta') && !RUNTIME_IMPORT.test(source))
        return undefined;
      let url = '__dtpsBundleUrl()';
      if (ours) {
        if (!BUNDLED_PACKAGES.includes(rel[0]))
          throw new Error(`${args.path}: package ${rel[0]} is not expected in the CLI bundle`);
        url = `__dtpsModuleUrl(${JSON.stringify(packageName(rel[0]))}, ${JSON.stringify(rel.slice(3).join('/'))})`;
      }
      let contents = source
        .replace(/^#!.*\n/, '') // bin.js's, which would end up inside bin/dtps.js's function wrapper
        .replaceAll('import.meta.url', url)
        .replace(RUNTIME_IMPORT, '__dtpsImport(');
      if (trim !== undefined) {
        if (!contents.includes(trim.from))
          throw new Error(
            `${args.path}: the text to trim is gone (${trim.why}); update TRIMS in ${import.meta.url}`,
          );
        contents = trim.to(contents);
      }
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * An import() that stays one at run time: of a computed specifier (cosmiconfig
 * importing a dtps.config.mjs) or of TypeScript (external). In a vm.Script,
 * import() works only through an experimental hook that prints a warning and,
 * with a code cache, fails (Node 20); bin/dtps.js passes its own import() as
 * __dtpsImport instead. Literal imports of bundled modules stay (esbuild inlines them).
 */
const RUNTIME_IMPORT =
  /(?<![\w$.])import\((?!\s*['"`][^'"`]+['"`]\s*\))|(?<![\w$.])import\((?=\s*['"`]typescript['"`]\s*\))/g;

/**
 * Work that every command paid at start-up for something none of them uses,
 * cut out of the bundle only (the dependency itself is untouched). Each `from`
 * must be found, so that a new version of the dependency fails the build
 * rather than quietly bringing the cost back.
 */
const TRIMS = [
  {
    why: "meow prepares normalize-package-data (spdx-correct sorts its table with localeCompare, starting ICU's collator) when loaded; it is used only to normalize package.json, which dtps never asks for",
    file: /[\\/]meow[\\/]build[\\/]dependencies\.js$/,
    from: 'var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);',
    to: (source) =>
      source.replace(
        'var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);',
        'const normalizePackageData = (...args) => getDefaultExportFromCjs(requireNormalize())(...args);',
      ),
  },
  {
    why: "zod's z.locales holds 50 languages' error messages; dtps uses only the English ones, which zod imports on its own",
    file: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/,
    from: 'export { default as en } from "./en.js";',
    to: () => 'export { default as en } from "./en.js";\n',
  },
];

/** Declared at the end of the bundle (function declarations are hoisted); see originalUrls. */
const URL_HELPERS = `
function __dtpsModuleUrl(pkg, file) {
  const dirs = (__dtpsModuleUrl.dirs ??= new Map());
  if (!dirs.has(pkg)) {
    // This package's own dist/src is beside the bundle (dist/bundle); no need to resolve it.
    const own = pkg === ${JSON.stringify(packageName('cli'))};
    dirs.set(pkg, own ? require("node:path").join(__dirname, "..", "src") : require("node:path").dirname(require.resolve(pkg)));
  }
  return require("node:url").pathToFileURL(require("node:path").join(dirs.get(pkg), file)).href;
}
function __dtpsBundleUrl() {
  return require("node:url").pathToFileURL(__filename).href;
}`;

/** The package's name, after checking that its entry is dist/src/index.js (what the URLs above rely on). */
function packageName(dir) {
  const pkg = JSON.parse(readFileSync(join(PACKAGES, dir, 'package.json'), 'utf8'));
  if (pkg.exports?.['.']?.default !== './dist/src/index.js')
    throw new Error(`${pkg.name}: its "." export must be ./dist/src/index.js`);
  return pkg.name;
}

rmSync(OUT_DIR, { recursive: true, force: true });
mkdirSync(OUT_DIR, { recursive: true });
const result = await build({
  entryPoints: [join(CLI, 'dist', 'src', 'bin.js')],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.19',
  // cosmiconfig requires TypeScript only to read a dtps.config.ts; it is
  // resolved when that happens, as before.
  external: ['typescript'],
  plugins: [originalUrls],
  footer: { js: URL_HELPERS },
  logLevel: 'warning',
  legalComments: 'none',
  // Less to read and hash at each start (some 4% of its CPU time); names are
  // kept, so that a stack trace (DTPS_DEBUG) still names functions and modules.
  minifyWhitespace: true,
  minifySyntax: true,
});
// A warning here (an import.meta left empty, a require that cannot work) is a broken bundle.
if (result.warnings.length > 0) throw new Error('the CLI bundle has warnings (above)');
const bundled = readFileSync(BUNDLE, 'utf8');
const leftImport = /(?<![\w$."'`])import\(.{0,60}/.exec(bundled);
if (leftImport)
  throw new Error(`the CLI bundle has an import() that would run in the vm.Script: ${leftImport[0]}`);

// The bundle names its code cache by its own hash, so that bin/dtps.js never
// takes a cache made for another bundle (V8 checks little more than the
// length), whatever the files' times (npm sets them as it unpacks).
const CACHE = join(OUT_DIR, `dtps.${createHash('sha256').update(bundled).digest('hex').slice(0, 16)}.cache`);
writeFileSync(BUNDLE, `${bundled}\n//# dtpsCodeCache=${basename(CACHE)}\n`);

// The code cache: bin/dtps.js writes it when asked, after one run of `dtps
// config` (every module's top level, flag parsing, the config file search and
// its checks, a table), in an empty folder that is also its home, so that no
// config file or DTPS_* variable of this machine is involved. A cache that V8
// refuses later (another Node) costs only speed.
const home = mkdtempSync(join(tmpdir(), 'dtps-bundle-'));
try {
  const warm = spawnSync(process.execPath, [join(CLI, 'bin', 'dtps.js'), 'config'], {
    cwd: home,
    env: { PATH: process.env.PATH, HOME: home, DTPS_WRITE_COMPILE_CACHE: CACHE },
    encoding: 'utf8',
  });
  if (warm.status !== 0) throw new Error(`dtps config from the bundle failed:\n${warm.stderr}`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
readFileSync(CACHE);
