import { createRequire } from 'node:module';

/**
 * Loads an OpenTelemetry SDK package on first use. Required, not imported: an
 * import() of a literal would be inlined by the CLI's bundler
 * (packages/cli/scripts/bundle.mjs), and the SDK (a third of a second) parsed
 * at every start even with telemetry off. The require function itself is made
 * on first use too (in the bundle, finding this module's URL resolves @dtps/core).
 */
export function loadSdk<T>(id: string): T {
  return createRequire(import.meta.url)(id) as T;
}
