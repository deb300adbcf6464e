import type { Task, TaskState } from '@dtps/core';
import { Box, Text } from 'ink';
import { cell, clip, duration, STATE_COLORS } from './format.js';
import type { TaskFilterView } from './view-types.js';

/** A task as the list shows it: text, so that an unchanged row compares equal. */
export interface TaskRow {
  readonly id: string;
  readonly type: string;
  readonly state: TaskState;
  readonly priority: number;
  /** Attempts made of those allowed: `1/4`. */
  readonly tries: string;
  /** Time since it was submitted, coarse (`12s`, `4m`, `3h`). */
  readonly age: string;
  readonly worker: string;
}

/** A task's row at time `now`. */
export function taskRow(t: Task, now: number): TaskRow {
  return {
    id: t.id,
    type: t.type,
    state: t.state,
    priority: t.priority,
    tries: `${t.attempts}/${t.maxRetries + 1}`,
    age: duration(Math.max(0, now - t.createdAt)).replace(/\.\d+s$/, 's'),
    worker: t.worker ?? '',
  };
}

export interface TasksProps {
  readonly rows: readonly TaskRow[];
  /** Index of the selected row among `rows` (-1 for none). */
  readonly selected: number;
  /** Index of the first row in the whole list. */
  readonly offset: number;
  /** Tasks in the list that was read. */
  readonly total: number;
  /** The selected task when it has left the rows read (Enter still opens it). */
  readonly gone?: string | null;
  readonly queue: string;
  readonly filter: TaskFilterView;
  readonly width: number;
  readonly height: number;
}

function describeFilter(queue: string, f: TaskFilterView): string {
  return `queue ${queue} · state ${f.state ?? 'any'} · priority ${f.priority ?? 'any'}`;
}

/** The task list of a queue, filtered by state and priority, scrolled to keep the selected row on screen. */
export function Tasks({ rows, selected, offset, total, queue, filter, gone, width, height }: TasksProps) {
  const idWidth = 26;
  const fixed = 2 + idWidth + 1 + 10 + 1 + 4 + 1 + 5 + 1 + 6 + 1;
  const typeWidth = Math.max(6, Math.min(16, Math.floor((width - fixed) / 2)));
  const workerWidth = Math.max(0, width - fixed - typeWidth - 1);
  const header = `  ${cell('ID', idWidth)} ${cell('TYPE', typeWidth)} ${cell('STATE', 10)} ${cell('PRI', 4, 'right')} ${cell('TRIES', 5, 'right')} ${cell('AGE', 6, 'right')} ${cell('WORKER', workerWidth)}`;
  const more = total >= 100 ? '+' : '';
  const position =
    total === 0
      ? 'no tasks'
      : gone
        ? `selected task left the list · ${total}${more}`
        : `${offset + Math.max(0, selected) + 1} of ${total}${more}`;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Box height={1}>
        <Text>
          <Text color="gray"> filter </Text>
          <Text bold>{describeFilter(queue, filter)}</Text>
          <Text color="gray">{clip(`  (/ to change) · ${position}`, Math.max(0, width - 50))}</Text>
        </Text>
      </Box>
      <Text bold color="gray">
        {clip(header, width)}
      </Text>
      {rows.length === 0 ? <Text color="gray"> no tasks match</Text> : null}
      {rows.map((t, i) => {
        const sel = i === selected;
        return (
          <Box key={t.id} height={1}>
            <Text inverse={sel} bold={sel}>
              {sel ? '▶ ' : '  '}
              {cell(t.id, idWidth)}
            </Text>
            <Text> {cell(t.type, typeWidth)}</Text>
            <Text color={STATE_COLORS[t.state]}> {cell(t.state, 10)}</Text>
            <Text>
              {` ${cell(String(t.priority), 4, 'right')} ${cell(t.tries, 5, 'right')} ${cell(t.age, 6, 'right')}`}
            </Text>
            <Text color="gray"> {cell(t.worker, workerWidth)}</Text>
          </Box>
        );
      })}
    </Box>
  );
}
