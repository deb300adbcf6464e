import type { EngineContext } from '../context.js';
import type { Logger } from '../runtime/logger.js';
import { Loop } from '../runtime/loop.js';
import { DATA_LOSS_MESSAGE, DataLossDetector, type OriginCheck } from './origin.js';

/** How often a process checks the origin marker unless told otherwise, ms. */
export const DATA_LOSS_CHECK_MS = 1000;

/** Options of {@link watchDataLoss}. */
export interface DataLossWatchOptions {
  /** The process's name (worker or coordinator id), recorded in the fleet event. */
  by: string;
  log: Logger;
  /** Check period, ms (default {@link DATA_LOSS_CHECK_MS}). */
  intervalMs?: number;
  /** Called after a check found the data set gone (after the error is logged). */
  onLoss?: (check: OriginCheck) => void;
}

/**
 * A background unit that checks the origin marker (see origin.ts) every
 * `intervalMs` and logs an error each time it finds that Redis lost its data
 * (a warning when it finds a data set it was on before: `returned`).
 * Start it with `start()`, stop it with `await stop()`. A check that fails
 * (Redis unreachable) is logged at debug only: the outage is someone else's
 * to report, and the next check after it is the one that matters.
 */
export function watchDataLoss(ctx: EngineContext, opts: DataLossWatchOptions): Loop {
  const detector = new DataLossDetector(ctx, opts.by);
  return new Loop(
    'data-loss-watch',
    opts.intervalMs ?? DATA_LOSS_CHECK_MS,
    async () => {
      let check: OriginCheck;
      try {
        check = await detector.check();
      } catch (err) {
        opts.log.debug({ err: (err as Error).message }, 'could not check the origin marker');
        return;
      }
      if (check.returned) {
        opts.log.warn(
          {
            event: 'redis:data-set-returned',
            origin: check.origin.id,
            left: check.previous?.id,
          },
          'Redis serves again a data set this process was on before: what it wrote meanwhile elsewhere is not there (see docs/durability.md)',
        );
        return;
      }
      if (!check.lost) return;
      opts.log.error(
        {
          event: 'redis:data-lost',
          previousOrigin: check.previous?.id,
          previousCreatedAt: check.previous?.createdAt,
          origin: check.origin.id,
          losses: check.origin.losses,
          counted: check.counted,
        },
        DATA_LOSS_MESSAGE,
      );
      opts.onLoss?.(check);
    },
    opts.log,
  );
}
