/**
 * The rule of a search by payload field, one for every way in (the client's
 * `list`, the CLI's `--where`, the HTTP API's `field`/`value`): the value at
 * a dot path of the payload, compared as JSON.
 */
import { ValidationError } from '../errors.js';

/** A payload field and the value it must have. */
export interface PayloadWhere {
  /** A dot path into the payload: `user.id`. */
  field: string;
  value: unknown;
}

/** A predicate on payloads; throws ValidationError (field `where`) for a path that is not a dot path. */
export function payloadMatcher(where: PayloadWhere): (payload: unknown) => boolean {
  if (typeof where.field !== 'string' || !/^[^.]+(\.[^.]+)*$/.test(where.field))
    throw new ValidationError('where', 'field must be a dot path such as user.id');
  const path = where.field.split('.');
  const want = JSON.stringify(where.value);
  return (payload) => {
    let at = payload;
    for (const key of path) {
      if (at === null || typeof at !== 'object') return false;
      at = (at as Record<string, unknown>)[key];
    }
    return at !== undefined && JSON.stringify(at) === want;
  };
}

/** A value as typed on a command line or in a query string: JSON when it parses (`42`, `true`, `"7"`), else the text. */
export function parseWhereValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
