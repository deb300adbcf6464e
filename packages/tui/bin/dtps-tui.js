#!/usr/bin/env node
// The `dtps-tui` launcher that package.json's `bin` names. It is committed, not
// built: pnpm links a workspace package's bin only when the file exists at
// install time, and dist/ does not exist until `pnpm build` (DESIGN §6:
// `pnpm install && pnpm build`, then `pnpm exec dtps-tui`). The console is src/bin.ts.
try {
  await import('../dist/src/bin.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/src/bin.js')) {
    process.stderr.write('dtps-tui: not built yet; run `pnpm build` at the repository root\n');
    process.exit(2);
  }
  throw err;
}
