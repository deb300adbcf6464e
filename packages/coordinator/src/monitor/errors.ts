import { classifyRedisError, DtpsError, type ErrorCode, explainRedisError, type Logger } from '@dtps/core';
import type { FastifyInstance } from 'fastify';

/** Codes of errors that only exist at the HTTP layer, next to the engine's own. */
export type HttpOnlyCode =
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'internal';

/** The JSON body of every error response: `{error: {code, message, field?}}`. */
export interface ErrorBody {
  error: { code: ErrorCode | HttpOnlyCode; message: string; field?: string };
}

/** An error with an HTTP status of its own (auth, limits, unknown routes). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | HttpOnlyCode,
    message: string,
    readonly field?: string,
    /** Extra response headers (WWW-Authenticate, Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * HTTP status of each engine error code. Input the caller can fix → 400;
 * unknown id → 404; a state that forbids the operation now → 409; Redis or
 * the engine unable to serve → 5xx.
 */
export const STATUS_OF_CODE: Readonly<Record<ErrorCode, number>> = {
  invalid_argument: 400,
  invalid_config: 400,
  unknown_dependency: 400,
  dependency_cycle: 400,
  not_found: 404,
  invalid_state: 409,
  dependency_not_satisfied: 409,
  deadline_passed: 409,
  fenced: 409,
  timeout: 504,
  redis_unavailable: 503,
  redis_refused: 503,
  closed: 503,
  not_replicated: 503,
  script_error: 500,
  unencodable_result: 500,
  corrupt_task: 409,
};

/** One ajv error, as Fastify attaches them to a validation error. */
interface AjvIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  validation?: AjvIssue[];
  validationContext?: string;
  message: string;
}

/** The field a schema violation is about: `priority`, `backoff.baseMs`, or the part (`body`) as a last resort. */
export function fieldOfIssue(issue: AjvIssue, part: string | undefined): string {
  const path = issue.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const { missingProperty, additionalProperty } = issue.params;
  if (issue.keyword === 'required' && typeof missingProperty === 'string') path.push(missingProperty);
  if (issue.keyword === 'additionalProperties' && typeof additionalProperty === 'string')
    path.push(additionalProperty);
  return path.join('.') || part || 'request';
}

function messageOfIssue(issue: AjvIssue, field: string): string {
  switch (issue.keyword) {
    case 'required':
      return `${field}: is required`;
    case 'additionalProperties':
      return `${field}: is not a known field`;
    case 'maximum':
    case 'minimum':
      return `${field}: must be ${issue.keyword === 'maximum' ? 'at most' : 'at least'} ${String(issue.params.limit)}`;
    case 'enum': {
      const allowed = issue.params.allowedValues;
      return `${field}: must be one of ${Array.isArray(allowed) ? allowed.join(', ') : 'the allowed values'}`;
    }
    default:
      return `${field}: ${issue.message ?? 'is not valid'}`;
  }
}

/** Maps anything thrown by a route to an HTTP status, headers and the JSON error body. */
export function toHttpError(err: unknown): {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
} {
  const out = (
    status: number,
    code: ErrorCode | HttpOnlyCode,
    message: string,
    field?: string,
    headers = {},
  ) => ({
    status,
    body: { error: field === undefined ? { code, message } : { code, message, field } },
    headers,
  });
  if (err instanceof HttpError) return out(err.status, err.code, err.message, err.field, err.headers);
  // A refusal of Redis's (OOM, NOPERM…) in a plain command: named as such, not as a 500.
  err = explainRedisError(err);
  if (err instanceof DtpsError) return out(STATUS_OF_CODE[err.code] ?? 500, err.code, err.message, err.field);
  const fe = err as FastifyLikeError;
  if (Array.isArray(fe.validation) && fe.validation.length > 0) {
    const issue = fe.validation[0]!;
    const field = fieldOfIssue(issue, fe.validationContext);
    return out(400, 'invalid_argument', messageOfIssue(issue, field), field);
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413) return out(413, 'payload_too_large', 'the request body is too large', 'body');
  if (status === 415) {
    return out(
      415,
      'unsupported_media_type',
      'send the request body as JSON (Content-Type: application/json)',
      'body',
    );
  }
  if (status >= 400 && status < 500) {
    // Fastify's own request errors: bad JSON, an empty JSON body, a bad header…
    return out(400, 'invalid_argument', fe.message, fe.code?.startsWith('FST_ERR_CTP') ? 'body' : undefined);
  }
  if (err instanceof Error && classifyRedisError(err) === 'unreachable') {
    return out(503, 'redis_unavailable', `Redis is not reachable: ${err.message}`);
  }
  return out(500, 'internal', 'internal error; the coordinator log has the details');
}

/** Sends every error, and every unknown route, as a JSON error body. */
export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err, request, reply) => {
    const { status, body, headers } = toHttpError(err);
    if (status >= 500) {
      log.error(
        { err: (err as Error).message, method: request.method, url: request.url },
        'monitor request failed',
      );
    }
    void reply.status(status).headers(headers).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    };
    void reply.status(404).send(body);
  });
}
