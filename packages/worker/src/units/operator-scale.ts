import { describeScale, type ScaleChange, type ScaleOutcome } from '@dtps/core';
import type { SlotPool } from '../pool.js';

type Field = 'size' | 'min' | 'max';

/**
 * Applies an operator's `scale` command to the pool, changing only what was
 * asked, and says what changed. The rules, when the asked value does not fit
 * the others:
 * - a new min above the max raises the max to it; a new max below the min
 *   lowers the min to it (the bound the operator gave wins, the other follows);
 * - the size is kept inside the bounds: raised to a new min, lowered to a new
 *   max; a size given outside the bounds is clamped to them.
 * A size given, or one moved by the new bounds, is recorded as the operator's
 * (the autoscaler then holds it; see Autoscaler).
 */
export function applyOperatorScale(
  pool: SlotPool,
  cmd: { size?: number; min?: number; max?: number },
): ScaleOutcome {
  const before = { size: pool.size, min: pool.min, max: pool.max };
  let min = cmd.min ?? before.min;
  let max = cmd.max ?? before.max;
  const notes: Partial<Record<Field, string>> = {};
  if (cmd.min !== undefined && cmd.max === undefined && min > max) {
    max = min;
    notes.max = 'raised to the new min';
  }
  if (cmd.max !== undefined && cmd.min === undefined && max < min) {
    min = max;
    notes.min = 'lowered to the new max';
  }
  const wanted = cmd.size ?? before.size;
  const size = Math.min(max, Math.max(min, wanted));
  if (size > wanted) notes.size = cmd.size === undefined ? 'raised to the new min' : `clamped to min ${min}`;
  if (size < wanted) notes.size = cmd.size === undefined ? 'lowered to the new max' : `clamped to max ${max}`;
  const after = { size, min, max };
  // Asked fields first (in the order size, min, max), then what followed from them.
  const order: Field[] = ['size', 'min', 'max'];
  const asked = order.filter((f) => cmd[f] !== undefined);
  const followed = order.filter((f) => cmd[f] === undefined);
  const changes: ScaleChange[] = [];
  for (const field of [...asked, ...followed]) {
    if (before[field] === after[field]) continue;
    changes.push({
      field,
      from: before[field],
      to: after[field],
      ...(notes[field] ? { note: notes[field] } : {}),
    });
  }
  const sizeDecided = cmd.size !== undefined || size !== before.size;
  pool.resize(
    after,
    sizeDecided ? { by: 'operator', reason: `operator: ${describeScale({ changes, after })}` } : undefined,
  );
  return { before, after, changes };
}
