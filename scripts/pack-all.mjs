#!/usr/bin/env node
// `pnpm pack:all [DIR]`: writes one installable tarball of each published
// package (@dtps/core, worker, coordinator, tui, cli) into DIR (default
// dist-packages/ at the repository root), for `npm install DIR/*.tgz` in a
// project of one's own until dtps is on a registry. pnpm pack rewrites the
// `workspace:*` dependencies to the packed versions. Build first (`pnpm
// pack:all` does): the tarballs hold dist/, not the TypeScript sources.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const PACKAGES = ['core', 'worker', 'coordinator', 'tui', 'cli'];

const dest = resolve(process.argv[2] ?? join(ROOT, 'dist-packages'));

for (const name of PACKAGES) {
  const entry = join(ROOT, 'packages', name, 'dist', 'src', 'index.js');
  if (!existsSync(entry)) {
    process.stderr.write(
      `pack:all: packages/${name} is not built (no ${relative(ROOT, entry)}); run \`pnpm build\`\n`,
    );
    process.exit(2);
  }
}

// Tarballs of an older version left beside the new ones would make
// `npm install DIR/*.tgz` install two versions of one package.
mkdirSync(dest, { recursive: true });
for (const file of readdirSync(dest)) {
  if (file.startsWith('dtps-') && file.endsWith('.tgz')) rmSync(join(dest, file));
}

// One recursive call: pnpm's start-up is most of the time of a pack.
const filters = PACKAGES.flatMap((name) => ['--filter', `@dtps/${name}`]);
execFileSync('pnpm', ['--recursive', ...filters, 'pack', '--pack-destination', dest], {
  cwd: ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
});

const written = readdirSync(dest).filter((f) => f.endsWith('.tgz'));
// Relative to where the command ran when inside it (`dist-packages/…`), else absolute.
const rel = relative(process.cwd(), dest);
const shown = rel === '' ? '.' : rel.startsWith('..') ? dest : rel;
process.stdout.write(`${written.map((f) => join(shown, f)).join('\n')}\n`);
process.stdout.write(`install them in your project with: npm install ${join(dest, '*.tgz')}\n`);
