import { Box, Text } from 'ink';
import { LIMIT_FIELDS, type LimitField, type LimitForm as LimitFormState } from '../state/types.js';
import { type FlowView, limitName } from './FlowLines.js';
import { cell } from './format.js';

export interface LimitFormProps {
  readonly form: LimitFormState;
  readonly queue: string;
  readonly flow: FlowView | null;
  readonly width: number;
}

const LABELS: Record<LimitField, string> = {
  action: 'do',
  scope: 'scope',
  key: 'type/group',
  rate: 'rate: starts',
  per: 'per ms',
  concurrency: 'concurrency',
};

/**
 * The `L` form: set or clear one limit of the queue on screen (as `dtps
 * queue limit`). `do` and `scope` are chosen with ←/→; the rest are typed.
 * An empty rate or concurrency leaves that part as it is.
 */
export function LimitForm({ form, queue, flow, width }: LimitFormProps) {
  const value: Record<LimitField, string> = {
    action: form.action,
    scope: form.scope,
    ...form.values,
  };
  const needsKey = form.scope === 'type' || form.scope === 'group';
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor="cyan">
      <Text bold>{` Limit of queue ${queue}`}</Text>
      {LIMIT_FIELDS.map((f) => {
        const focused = f === form.focus;
        const idle =
          (f === 'key' && !needsKey) ||
          (form.action === 'clear' && (f === 'rate' || f === 'per' || f === 'concurrency'));
        const chosen = f === 'action' || f === 'scope';
        return (
          <Text key={f} bold={focused} color={focused ? 'cyan' : idle ? 'gray' : undefined}>
            {focused ? ' ▶ ' : '   '}
            {cell(LABELS[f], 13)}
            {chosen && focused ? '◀ ' : '  '}
            <Text inverse={focused}>{` ${value[f]} `}</Text>
            {chosen && focused ? ' ▶' : ''}
          </Text>
        );
      })}
      {form.error ? <Text color="red">{` ${form.error}`}</Text> : null}
      {flow && flow.limits.length > 0 ? (
        <Text color="gray" wrap="truncate-end">{` now: ${flow.limits.map(limitName).join(', ')}`}</Text>
      ) : null}
    </Box>
  );
}
