/**
 * What a Redis error means for dtps, decided in one place: every package
 * (engine, worker, coordinator, CLI, monitor) asks this module whether an
 * error is worth trying again and how to name it, instead of matching
 * messages itself.
 */
import { DtpsError } from './errors.js';

/**
 * The three kinds of Redis trouble, plus everything else:
 * - `unreachable`: no answer (connection refused, reset, closed, timed out);
 * - `refused`: Redis answered and said no, and will go on saying no until
 *   something changes on the server (OOM, NOPERM, READONLY, MISCONF, BUSY…);
 * - `transient`: a state Redis leaves by itself within moments (LOADING,
 *   TRYAGAIN, CLUSTERDOWN, MASTERDOWN);
 * - `other`: not Redis's state but the command (a wrong argument, a script bug).
 */
export type RedisErrorKind = 'unreachable' | 'refused' | 'transient' | 'other';

/** ioredis's words (and Node's) for a connection that is not there, or went away mid-command. */
const CONNECTION_LOST =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Failed to refresh slots cache|None of startup nodes is available/i;

/** What each refusal means and what an operator does about it (shown by the CLI and the logs). */
const REFUSALS: Readonly<Record<string, { kind: 'refused' | 'transient'; retry: boolean; advice: string }>> =
  {
    OOM: {
      kind: 'refused',
      retry: true,
      advice:
        'Redis is out of memory (maxmemory reached with the noeviction policy): free memory, raise maxmemory, or shorten the retention of finished tasks',
    },
    NOPERM: {
      kind: 'refused',
      retry: false,
      advice:
        "the Redis user may not use this key, channel or command: grant dtps's keys and channels (for the prefix dtps: ~{dtps* &{dtps*; see docs/errors.md)",
    },
    NOAUTH: {
      kind: 'refused',
      retry: false,
      advice: 'Redis wants a password: put the user and password in the Redis URL',
    },
    WRONGPASS: {
      kind: 'refused',
      retry: false,
      advice: 'the user or password in the Redis URL is wrong',
    },
    READONLY: {
      kind: 'refused',
      retry: true,
      advice:
        'this server is a read-only replica: point dtps at the master, or use redis+sentinel:// to follow failovers',
    },
    MISCONF: {
      kind: 'refused',
      retry: true,
      advice:
        'Redis cannot save its data (an RDB or AOF write fails) and refuses writes: fix the disk or persistence settings on the server',
    },
    BUSY: {
      kind: 'refused',
      retry: true,
      advice: 'Redis is running a long script: wait for it, or end it with SCRIPT KILL / FUNCTION KILL',
    },
    NOREPLICAS: {
      kind: 'refused',
      retry: true,
      advice: 'fewer replicas answer than min-replicas-to-write asks: check the replicas',
    },
    LOADING: {
      kind: 'transient',
      retry: true,
      advice: 'Redis is loading its data after a restart: try again in a moment',
    },
    TRYAGAIN: { kind: 'transient', retry: true, advice: 'the Cluster is moving keys: try again in a moment' },
    CLUSTERDOWN: {
      kind: 'transient',
      retry: true,
      advice: 'the Cluster is down or failing over: try again in a moment',
    },
    MASTERDOWN: {
      kind: 'transient',
      retry: true,
      advice: 'the master is down or failing over: try again in a moment',
    },
  };

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The error Redis really returned: a MULTI that Redis discarded (EXECABORT)
 * carries the refusal of the command that caused it (NOPERM, OOM…) in
 * ioredis's `previousErrors`; that one is returned. Anything else is
 * returned as it is.
 */
export function unwrapRedisError(err: unknown): unknown {
  const previous = (err as { previousErrors?: unknown[] } | null)?.previousErrors;
  if (/^EXECABORT\b/.test(messageOf(err)) && Array.isArray(previous) && previous.length > 0) {
    return previous[0];
  }
  return err;
}

/**
 * The reply error that carries a known refusal (`OOM`, `NOPERM`…) and its
 * code, looking through EXECABORT and through a dtps error's cause (a script
 * error wraps the reply); undefined when the error is no refusal.
 */
function findRefusal(err: unknown): { code: string; error: unknown } | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const inner = unwrapRedisError(e);
    if (inner instanceof RedisRefusedError) return { code: inner.refusal, error: inner };
    const code = /^([A-Z]+)\b/.exec(messageOf(inner))?.[1];
    if (code !== undefined && code in REFUSALS) return { code, error: inner };
    e = (inner as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The refusal code Redis answered with (`OOM`, `NOPERM`, `READONLY`…), if the error is a refusal. */
export function redisRefusalOf(err: unknown): string | undefined {
  return findRefusal(err)?.code;
}

/** Which of the kinds (see RedisErrorKind) an error is. */
export function classifyRedisError(err: unknown): RedisErrorKind {
  const refusal = redisRefusalOf(err);
  if (refusal !== undefined) return REFUSALS[refusal]!.kind;
  if (err instanceof DtpsError) return err.code === 'redis_unavailable' ? 'unreachable' : 'other';
  if (err instanceof Error && err.name === 'MaxRetriesPerRequestError') return 'unreachable';
  return CONNECTION_LOST.test(messageOf(err)) ? 'unreachable' : 'other';
}

/**
 * True when the same command may well succeed later unchanged: Redis was
 * unreachable, in a passing state, or refused for a reason that goes away
 * (out of memory, busy, read-only during a failover, not persisting). False
 * for a command that is wrong, and for refusals only an operator fixes
 * (NOPERM, NOAUTH, WRONGPASS). Retry loops and the script runner ask this.
 */
export function isTransientRedisError(err: unknown): boolean {
  const refusal = redisRefusalOf(err);
  if (refusal !== undefined) return REFUSALS[refusal]!.retry;
  return classifyRedisError(err) === 'unreachable';
}

/** What an operator does about a refusal (e.g. OOM: free memory or raise maxmemory). */
export function refusalAdvice(refusal: string): string {
  return REFUSALS[refusal]?.advice ?? 'see the Redis server log';
}

/** The command (and first key) a reply error was about, when ioredis recorded it: `EVALSHA on {dtps:…}`. */
function commandOf(err: unknown): string | undefined {
  const cmd = (err as { command?: { name?: unknown; args?: unknown[] } } | null)?.command;
  if (typeof cmd?.name !== 'string') return undefined;
  const args = Array.isArray(cmd.args) ? cmd.args : [];
  // EVALSHA/FCALL: sha or name, numkeys, first key; others: first key.
  const scripted = /^(evalsha|eval|fcall|fcall_ro)$/i.test(cmd.name);
  const key = scripted ? args[2] : args[0];
  const name = cmd.name.toUpperCase();
  return typeof key === 'string' && key.length <= 200 ? `${name} ${key}` : name;
}

/** Redis's reply without its code, and without the script location Redis appends inside a script. */
function redisWords(message: string): string {
  return message
    .replace(/^[A-Z]+\s*/, '')
    .replace(/\.?\s*script: \w+, on @\w+:\d+\.?$/, '')
    .replace(/\.$/, '');
}

/**
 * Redis answered a command with a refusal (OOM, NOPERM, READONLY, MISCONF,
 * BUSY, LOADING…): the command did not run. The message names the refusal,
 * the command when known, Redis's own words and what to do. Programs exit
 * with ExitCode.refused (4) on it.
 */
export class RedisRefusedError extends DtpsError {
  /** Redis's refusal code: `OOM`, `NOPERM`, `READONLY`… */
  readonly refusal: string;
  /** Whether trying again later, unchanged, may succeed. */
  readonly transient: boolean;

  constructor(refusal: string, message: string, options: { command?: string; cause?: unknown } = {}) {
    const on = options.command === undefined ? '' : ` (${options.command})`;
    super(
      'redis_refused',
      `Redis refused the command${on} with ${refusal}: ${redisWords(message)} — ${refusalAdvice(refusal)}`,
      { cause: options.cause },
    );
    this.refusal = refusal;
    this.transient = REFUSALS[refusal]?.retry ?? false;
  }
}

/**
 * A Redis refusal as a RedisRefusedError naming the real cause (through
 * EXECABORT and script-error wrapping); any other error as it is.
 */
export function explainRedisError(err: unknown): unknown {
  const found = findRefusal(err);
  if (found === undefined || found.error instanceof RedisRefusedError) return found?.error ?? err;
  const command = commandOf(found.error);
  return new RedisRefusedError(found.code, messageOf(found.error), {
    ...(command === undefined ? {} : { command }),
    cause: err,
  });
}

/**
 * Runs a MULTI and, if Redis discarded it (EXECABORT), throws the refusal
 * that caused it (NOPERM on a key, OOM…) as a RedisRefusedError rather than
 * "Transaction discarded because of previous errors".
 */
export async function execTransaction<T>(exec: Promise<T>): Promise<T> {
  try {
    return await exec;
  } catch (err) {
    throw explainRedisError(err);
  }
}
