import { Box, Text } from 'ink';
import { FILTER_FIELDS, type FilterField } from '../state/types.js';
import { cell } from './format.js';
import type { TaskFilterView } from './view-types.js';

export interface FilterFormProps {
  readonly focus: FilterField;
  readonly draft: TaskFilterView & { readonly queue: string };
  readonly width: number;
}

/** The `/` form: state, queue and priority of the task list, each chosen with ←/→. */
export function FilterForm({ focus, draft, width }: FilterFormProps) {
  const value: Record<FilterField, string> = {
    state: draft.state ?? 'any',
    queue: draft.queue,
    priority: draft.priority === null ? 'any' : String(draft.priority),
  };
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor="cyan">
      <Text bold> Filter tasks</Text>
      {FILTER_FIELDS.map((f) => {
        const focused = f === focus;
        return (
          <Text key={f} bold={focused} color={focused ? 'cyan' : undefined}>
            {focused ? ' ▶ ' : '   '}
            {cell(f, 10)}
            {focused ? '◀ ' : '  '}
            <Text inverse={focused}>{` ${value[f]} `}</Text>
            {focused ? ' ▶' : ''}
          </Text>
        );
      })}
    </Box>
  );
}
