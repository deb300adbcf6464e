import { isTerminal, type Task } from '@dtps/core';
import { Box, Text } from 'ink';
import { FIELD_INFO, specOf } from '../state/submit-form.js';
import { type SubmitForm as Form, SUBMIT_FIELDS, type SubmitField } from '../state/types.js';
import { cell, clip, clock, duration, json, STATE_COLORS } from './format.js';
import { ProgressBar } from './ProgressBar.js';

export interface SubmitFormProps {
  readonly form: Readonly<Form>;
  readonly errors: Readonly<Partial<Record<SubmitField, string>>>;
  /** Task types the live workers announce. */
  readonly types: readonly string[];
  readonly queue: string;
  /** The submitted task as last read, while the form follows it. */
  readonly followed: Task | null;
  readonly now: number;
  readonly width: number;
  readonly height: number;
}

const PLACEHOLDER: Record<SubmitField, string> = {
  type: 'a handler name',
  payload: 'null',
  priority: '1',
  deadline: 'none',
  retries: '3',
  timeout: 'none',
  dependsOn: 'none',
};

const LABEL_WIDTH = 14;

function Following({
  id,
  task,
  queue,
  now,
  width,
}: {
  readonly id: string;
  readonly task: Task | null;
  readonly queue: string;
  readonly now: number;
  readonly width: number;
}) {
  const ended = task !== null && isTerminal(task.state);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold> Submitted task </Text>
        <Text bold color="cyan">
          {id}
        </Text>
        <Text color="gray"> on queue {queue}</Text>
      </Text>
      <Text> </Text>
      <Text>
        {' state    '}
        {task ? (
          <Text bold color={STATE_COLORS[task.state]}>
            {task.state}
          </Text>
        ) : (
          <Text color="gray">submitted</Text>
        )}
        <Text color="gray">{ended ? ' (ended; no longer followed)' : ' (following)'}</Text>
      </Text>
      <Text>
        {' progress '}
        <ProgressBar value={task?.progress ?? null} width={Math.max(10, Math.min(40, width - 30))} />
      </Text>
      {task ? (
        <Text color="gray">
          {clip(
            ` attempts ${task.attempts} of ${task.maxRetries + 1} · worker ${task.worker ?? '—'} · created ${clock(task.createdAt)}${task.startedAt ? ` · ran ${duration((task.finishedAt ?? now) - task.startedAt)}` : ''}`,
            width,
          )}
        </Text>
      ) : null}
      {task && task.result !== null && task.result !== undefined ? (
        <Text>{clip(` result   ${json(task.result)}`, width)}</Text>
      ) : null}
      {task?.error ? (
        <Text color="red">{clip(` error    ${task.error.reason}: ${task.error.message}`, width)}</Text>
      ) : null}
    </Box>
  );
}

/** The keyboard form of `n`: type from the live workers' handlers, payload checked as typed, then the new task followed until it ends. */
export function SubmitForm({ form, errors, types, queue, followed, now, width, height }: SubmitFormProps) {
  if (form.submittedId !== null) {
    return (
      <Box
        flexDirection="column"
        width={width}
        height={height}
        overflow="hidden"
        borderStyle="round"
        borderColor="cyan"
      >
        <Following id={form.submittedId} task={followed} queue={queue} now={now} width={width - 2} />
      </Box>
    );
  }
  const inner = width - 2;
  const spec = specOf(form, queue, now);
  const preview = spec ? json(spec) : '— (fix the fields marked ✖)';
  const valueWidth = Math.max(10, Math.floor((inner - LABEL_WIDTH - 3) * 0.5));
  const noteWidth = Math.max(0, inner - LABEL_WIDTH - valueWidth - 4);
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      overflow="hidden"
      borderStyle="round"
      borderColor="cyan"
    >
      <Text>
        <Text bold> New task</Text>
        <Text color="gray">
          {clip(
            ` on queue ${queue} · live workers handle: ${types.length ? types.join(' ') : 'nothing yet (no live worker)'}`,
            inner - 10,
          )}
        </Text>
      </Text>
      {SUBMIT_FIELDS.map((f) => {
        const focused = form.focus === f;
        const value = form.values[f];
        const err = errors[f];
        const shown = value === '' ? PLACEHOLDER[f] : value;
        // Show the end of a long value: that is where the typing happens.
        const chars = [...shown];
        const fitted =
          chars.length > valueWidth - 1 ? `…${chars.slice(chars.length - valueWidth + 2).join('')}` : shown;
        return (
          <Box key={f} height={1}>
            <Text bold={focused} color={focused ? 'cyan' : undefined}>
              {focused ? ' ▶ ' : '   '}
              {cell(FIELD_INFO[f].label, LABEL_WIDTH - 3)}
            </Text>
            <Text color={value === '' ? 'gray' : undefined} underline={focused}>
              {cell(`${fitted}${focused ? '█' : ''}`, valueWidth)}
            </Text>
            <Text color={err ? 'red' : 'green'}>
              {' '}
              {clip(err ? `✖ ${err}` : f === 'payload' && value.trim() !== '' ? '✓ JSON' : '', noteWidth)}
            </Text>
          </Box>
        );
      })}
      <Text> </Text>
      <Text color="gray">
        {clip(` ${FIELD_INFO[form.focus].label}: ${FIELD_INFO[form.focus].hint}`, inner)}
      </Text>
      <Text color="gray" wrap="truncate-end">{` will submit ${preview}`}</Text>
      {form.submitting ? <Text color="yellow"> submitting…</Text> : null}
      {form.error ? <Text color="red">{clip(` ${form.error}`, inner)}</Text> : null}
    </Box>
  );
}
