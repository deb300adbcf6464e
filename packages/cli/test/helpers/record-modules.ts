/**
 * Preloaded with `node --import` by the start-up test: writes to the file
 * named by DTPS_TEST_MODULES_FILE every module the process loads, one URL or
 * path a line. ES modules are seen through a resolve hook (it runs in the
 * hooks thread, so each one is appended as it is resolved, whatever way the
 * process ends); CommonJS ones, which packages require among themselves,
 * through the require cache when the process exits.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.DTPS_TEST_MODULES_FILE;
if (file) {
  const hooks = `
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      appendFileSync(${JSON.stringify(file)}, resolved.url + '\\n');
      return resolved;
    }
  `;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    appendFileSync(
      file,
      Object.keys(cache)
        .map((p) => `${p}\n`)
        .join(''),
    );
  });
}
