import type { EngineContext } from '../context.js';
import { DependencyCycleError, ValidationError } from '../errors.js';
import { newTaskId } from '../task/ids.js';
import type { NormalizedSpec, TaskSpec } from '../task/types.js';
import { type CheckedSpec, checkSpec } from '../task/validate.js';
import { currentTraceContext } from '../telemetry/tracing.js';

/** The checked spec with its id and trace context: the NormalizedSpec, without a copy. */
function normalize(checked: CheckedSpec, id: string, trace: Record<string, string> | null): NormalizedSpec {
  checked.id = id;
  checked.trace = trace;
  return checked;
}

function limits(ctx: EngineContext) {
  return {
    payloadMaxBytes: ctx.payloadMaxBytes,
    defaultQueue: ctx.defaultQueue,
    defaultBackoff: ctx.backoff,
  };
}

/**
 * The trace context to store with the tasks submitted now. Without an active
 * span there is none to store (a propagator injects the trace of the active
 * span), and unless dtps traces, none is made: then the propagation API is
 * not called at all, once per task.
 */
function traceNow(traced: boolean): Record<string, string> | null {
  return traced ? currentTraceContext() : null;
}

/**
 * Validates one spec and gives it an id. `traced`: tracing is on or a span is
 * active (the client asks once; false leaves the trace context out). Throws
 * ValidationError naming the field.
 */
export function prepareOne(ctx: EngineContext, input: TaskSpec, traced = true): NormalizedSpec {
  const now = ctx.clock.now();
  const checked = checkSpec(input, limits(ctx), now);
  if (checked.ref !== null) throw new ValidationError('ref', 'only has a meaning in submitMany');
  return normalize(checked, newTaskId(now), traceNow(traced));
}

/**
 * Validates a batch, gives each task an id, resolves `ref`s in `dependsOn` to
 * those ids, refuses cycles, and orders the batch so that every task comes
 * after the batch tasks it depends on. Returns the specs in submission order
 * and, for each input index, its position in that order.
 */
export function prepareBatch(
  ctx: EngineContext,
  inputs: readonly TaskSpec[],
  traced = true,
): { ordered: NormalizedSpec[]; positionOf: number[] } {
  if (!Array.isArray(inputs)) throw new ValidationError('specs', 'must be an array of task specs');
  const now = ctx.clock.now();
  const trace = traceNow(traced);
  const lim = limits(ctx);
  const checked = inputs.map((input, i) => {
    try {
      return checkSpec(input, lim, now);
    } catch (err) {
      if (err instanceof ValidationError)
        throw new ValidationError(`specs[${i}].${err.field}`, err.message.replace(/^[^:]*: /, ''));
      throw err;
    }
  });
  const specs = checked.map((c) => normalize(c, newTaskId(now), trace));
  const byRef = new Map<string, number>();
  checked.forEach((c, i) => {
    if (c.ref === null) return;
    if (byRef.has(c.ref))
      throw new ValidationError(`specs[${i}].ref`, `"${c.ref}" is used twice in the batch`);
    byRef.set(c.ref, i);
  });
  // Without refs no task can name another of the batch: it goes in the order given.
  if (byRef.size === 0) return { ordered: specs, positionOf: specs.map((_, i) => i) };
  // Resolve refs; remember in-batch edges for the cycle check and the ordering.
  const parentsOf: number[][] = specs.map(() => []);
  specs.forEach((spec, i) => {
    spec.dependsOn = spec.dependsOn.map((dep) => {
      const j = byRef.get(dep);
      if (j === undefined) return dep;
      if (specs[j]!.queue !== spec.queue) {
        throw new ValidationError(
          `specs[${i}].dependsOn`,
          `"${dep}" is in queue ${specs[j]!.queue}; a task can only depend on tasks of its own queue`,
        );
      }
      parentsOf[i]!.push(j);
      return specs[j]!.id;
    });
  });
  // Depth-first topological order; a grey node met again is a cycle.
  const colour = new Uint8Array(specs.length); // 0 white, 1 grey, 2 black
  const order: number[] = [];
  const stack: number[] = [];
  const visit = (i: number): void => {
    if (colour[i] === 2) return;
    if (colour[i] === 1) {
      const cycle = stack.slice(stack.indexOf(i)).concat(i);
      throw new DependencyCycleError(cycle.map((k) => checked[k]!.ref ?? specs[k]!.id));
    }
    colour[i] = 1;
    stack.push(i);
    for (const p of parentsOf[i]!) visit(p);
    stack.pop();
    colour[i] = 2;
    order.push(i);
  };
  for (let i = 0; i < specs.length; i++) visit(i);
  const positionOf = new Array<number>(specs.length);
  order.forEach((inputIndex, pos) => {
    positionOf[inputIndex] = pos;
  });
  return { ordered: order.map((i) => specs[i]!), positionOf };
}
