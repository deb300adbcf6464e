import type { NormalizedSpec } from '../../src/task/types.js';
import { DEFAULT_BACKOFF } from '../../src/task/validate.js';

/** A task spec as the client hands it to a script builder: plain unless `extra` says otherwise. */
export function normalizedSpec(id: string, extra: Partial<NormalizedSpec> = {}): NormalizedSpec {
  return {
    id,
    queue: 'q1',
    type: 'x',
    payloadJson: `{"n":"${id}"}`,
    priority: 7,
    maxRetries: 3,
    backoff: DEFAULT_BACKOFF,
    timeoutMs: null,
    deadline: null,
    dependsOn: [],
    runAt: null,
    idempotencyKey: null,
    group: null,
    trace: null,
    createdAt: 900,
    ...extra,
  };
}
