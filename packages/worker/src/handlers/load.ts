import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DtpsError } from '@dtps/core';
import type { HandlerMap } from './types.js';

/** The module URL of a handler module given as a path (relative to `cwd`) or a file URL. */
export function handlerModuleUrl(pathOrUrl: string, cwd = process.cwd()): string {
  if (/^file:/.test(pathOrUrl)) return pathOrUrl;
  return pathToFileURL(isAbsolute(pathOrUrl) ? pathOrUrl : resolve(cwd, pathOrUrl)).href;
}

/**
 * Loads a handler module: its default export (or, without one, its named
 * exports) must map task types to functions. Anything else stops the worker
 * at start with a message that says what was found.
 */
export async function loadHandlerModule(pathOrUrl: string, cwd?: string): Promise<HandlerMap> {
  const url = handlerModuleUrl(pathOrUrl, cwd);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new DtpsError('invalid_argument', `handlers: cannot load ${pathOrUrl}: ${(err as Error).message}`, {
      field: 'handlers',
      cause: err,
    });
  }
  const exported = mod.default ?? Object.fromEntries(Object.entries(mod).filter(([k]) => k !== 'default'));
  if (exported === null || typeof exported !== 'object' || Array.isArray(exported)) {
    throw new DtpsError(
      'invalid_argument',
      `handlers: ${pathOrUrl} must export default an object that maps task types to functions, got ${Array.isArray(exported) ? 'an array' : typeof exported}`,
      { field: 'handlers' },
    );
  }
  const entries = Object.entries(exported as Record<string, unknown>);
  if (entries.length === 0)
    throw new DtpsError('invalid_argument', `handlers: ${pathOrUrl} exports no handlers`, {
      field: 'handlers',
    });
  for (const [type, fn] of entries) {
    if (typeof fn !== 'function') {
      throw new DtpsError(
        'invalid_argument',
        `handlers: ${pathOrUrl}: "${type}" must be a function, got ${typeof fn}`,
        {
          field: 'handlers',
        },
      );
    }
  }
  return exported as HandlerMap;
}

/** The module URL of the demo handlers shipped with the worker. */
export const DEMO_HANDLERS_URL = new URL('./demo.js', import.meta.url).href;
