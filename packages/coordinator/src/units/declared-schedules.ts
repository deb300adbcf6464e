import {
  declarationToInput,
  type EngineContext,
  type Logger,
  type ScheduleDeclaration,
  ScheduleStore,
} from '@dtps/core';

/**
 * The schedules of the config file: created or updated on start (an
 * unchanged one keeps its state). One the file no longer declares is left as
 * it is — deleting an operator's schedule because a file changed would be a
 * surprise — and reported in the log and the fleet events, once per start.
 */
export async function applyDeclaredSchedules(
  ctx: EngineContext,
  declared: readonly ScheduleDeclaration[],
  log: Logger,
): Promise<{ saved: Record<string, string>; undeclared: string[] }> {
  const store = new ScheduleStore(ctx);
  const saved: Record<string, string> = {};
  for (const decl of declared) {
    const { def, outcome } = await store.save(declarationToInput(decl), 'config');
    saved[def.id] = outcome;
    if (outcome !== 'unchanged') log.info({ schedule: def.id, outcome }, 'schedule from the config file');
  }
  const undeclared = (await store.list())
    .filter((s) => s.def.origin === 'config' && !(s.id in saved))
    .map((s) => s.id);
  for (const id of undeclared) {
    log.warn(
      { schedule: id },
      'schedule no longer in the config file: kept; remove it with dtps schedule rm',
    );
    await ctx.redis.xadd(
      ctx.fleet.events,
      'MAXLEN',
      '~',
      '1000',
      '*',
      'kind',
      'schedule:undeclared',
      'schedule',
      id,
      'at',
      String(ctx.clock.now()),
    );
  }
  return { saved, undeclared };
}
