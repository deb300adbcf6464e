/**
 * Span attributes after OpenTelemetry's messaging semantic conventions
 * (semconv 1.2x: `messaging.*`), plus dtps's own under `dtps.*` for what those
 * conventions have no name for (the task type, the attempt number).
 */

/** `messaging.system`: dtps is not one of the conventions' listed systems, so it names itself. */
export const MESSAGING_SYSTEM = 'dtps';

/** `messaging.operation.type` values used by dtps's spans. */
export type OperationType = 'send' | 'create' | 'receive' | 'process' | 'settle';

/** What a span says about the task it is about. */
export interface TaskAttributesInput {
  queue: string;
  operationType: OperationType;
  /** `messaging.operation.name`: dtps's own name of the operation (submit, process, expire, …). */
  operationName: string;
  id?: string;
  type?: string;
  attempt?: number;
  /** The worker involved (`messaging.client.id`). */
  worker?: string | null;
}

/** The attributes of a span about one task. */
export function taskAttributes(a: TaskAttributesInput): Record<string, string | number> {
  const out: Record<string, string | number> = {
    'messaging.system': MESSAGING_SYSTEM,
    'messaging.operation.type': a.operationType,
    'messaging.operation.name': a.operationName,
    'messaging.destination.name': a.queue,
    'dtps.queue': a.queue,
  };
  if (a.id !== undefined) out['messaging.message.id'] = a.id;
  if (a.id !== undefined) out['dtps.task.id'] = a.id;
  if (a.type !== undefined) out['dtps.task.type'] = a.type;
  if (a.attempt !== undefined) out['dtps.task.attempt'] = a.attempt;
  if (a.worker) out['messaging.client.id'] = a.worker;
  return out;
}
