import {
  classifyRedisError,
  DtpsError,
  exitCodeOf,
  explainRedisError,
  parseRedisUrl,
  RedisUnavailableError,
  redactRedisUrl,
} from '@dtps/core';
import { ExitCode } from './exit-codes.js';

/** An error as the CLI reports it: one line for people, an object for programs. */
export interface ReportedError {
  /** The core's stable error code, or `internal_error` for a bug. */
  code: string;
  message: string;
  /** The flag, task field or config key at fault, when one is. */
  field?: string;
  /** With `submit --file`: the line at fault. */
  line?: number;
  exit: ExitCode;
}

/** A mistake on the command line: unknown command or flag, missing or bad value. */
export function usageError(message: string, field?: string): DtpsError {
  return new DtpsError('invalid_argument', message, field === undefined ? {} : { field });
}

/**
 * Rewrites a core error about a field (`priority: must be ...`) to name the
 * flag that set it (`--priority: must be ...`), keeping code and field.
 * `flagOf` maps a field's first segment to its flag.
 */
export function withFlagNames(err: unknown, flagOf: Readonly<Record<string, string>>): unknown {
  if (!(err instanceof DtpsError) || err.field === undefined) return err;
  const root = err.field.split(/[.[]/)[0] ?? err.field;
  const flag = flagOf[root];
  const prefix = `${err.field}: `;
  if (flag === undefined || !err.message.startsWith(prefix)) return err;
  return new DtpsError(err.code, `${flag}: ${err.message.slice(prefix.length)}`, {
    field: err.field,
    cause: err,
  });
}

/**
 * Classifies any error into what the CLI prints and how it exits. The only
 * place that maps errors to exit codes. `redisUrl` is the URL in use, if a
 * connection was made, so that a connection lost mid-command can name it
 * (redacted).
 */
export function reportOf(err: unknown, redisUrl?: string): ReportedError {
  const report = classify(err, redisUrl);
  return { ...report, message: scrub(report.message, redisUrl) };
}

function classify(thrown: unknown, redisUrl: string | undefined): ReportedError {
  // A refusal of Redis's (OOM, NOPERM…), wherever it was wrapped: named, with what to do.
  const err = explainRedisError(thrown);
  if (err instanceof DtpsError) {
    return {
      code: err.code,
      message: oneLine(err.message),
      ...fieldOf(err),
      ...lineOf(err),
      exit: exitCodeOf(err),
    };
  }
  if (classifyRedisError(err) === 'unreachable') {
    // ioredis's own words for this one are about its options, not about Redis.
    const cause =
      err instanceof Error && err.name === 'MaxRetriesPerRequestError'
        ? new Error(
            err.message.replace(
              /Reached the max retries per request limit[^.]*\.( Refer [^.]*\.)?/,
              'the connection was lost',
            ),
          )
        : err;
    const lost = new RedisUnavailableError(
      redisUrl === undefined ? 'the configured URL' : redactRedisUrl(redisUrl),
      cause,
    );
    return { code: lost.code, message: oneLine(lost.message), exit: ExitCode.unavailable };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: 'internal_error',
    message: oneLine(`unexpected error: ${message}`),
    exit: ExitCode.unsuccessful,
  };
}

function fieldOf(err: DtpsError): { field?: string } {
  return err.field === undefined ? {} : { field: err.field };
}

/**
 * Core messages never hold a password; this is the last line of defence for
 * messages from elsewhere (ioredis, Node) that might quote the URL.
 */
function scrub(message: string, redisUrl: string | undefined): string {
  if (redisUrl === undefined) return message;
  let secrets: string[] = [];
  try {
    const target = parseRedisUrl(redisUrl);
    secrets = [target.password, target.kind === 'sentinel' ? target.sentinelPassword : undefined].filter(
      (s): s is string => s !== undefined && s !== '',
    );
  } catch {
    // An unparsable URL was never used to connect, so nothing could quote it.
  }
  return secrets.reduce((text, secret) => text.split(secret).join('***'), message);
}

function lineOf(err: DtpsError): { line?: number } {
  const line = (err as DtpsError & { line?: unknown }).line;
  return typeof line === 'number' ? { line } : {};
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
