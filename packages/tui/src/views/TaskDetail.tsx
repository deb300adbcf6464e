import type { TaskDetail as Detail, TaskError } from '@dtps/core';
import { Box, Text } from 'ink';
import { clip, clock, duration, jsonLines, STATE_COLORS } from './format.js';
import { ProgressBar } from './ProgressBar.js';

export interface TaskDetailProps {
  readonly id: string;
  readonly detail: Detail | null;
  readonly error: string | null;
  readonly now: number;
  readonly width: number;
  readonly height: number;
}

/** The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`). */
export function traceIdOf(trace: Readonly<Record<string, string>> | null): string | null {
  const parent = trace?.traceparent;
  if (!parent) return null;
  const parts = parent.split('-');
  return parts.length >= 4 ? parts[1]! : parent;
}

/**
 * The error history, one line an attempt. An operator's retry starts a new
 * attempt series (attempts count from 1 again, the history is kept), so
 * "#1" can appear more than once: where it does, each line names its series
 * ("series 2 · #1"), counted in the history as kept (its last 10 errors).
 */
export function errorLines(errors: readonly TaskError[]): string[] {
  let series = 1;
  let previous = 0;
  const numbered = errors.map((e) => {
    const attempt = e.attempt ?? 0;
    if (attempt !== 0 && attempt <= previous) series += 1;
    if (attempt !== 0) previous = attempt;
    return { e, series };
  });
  const several = series > 1;
  return numbered.map(
    ({ e, series: n }) => `${several ? `series ${n} · ` : ''}#${e.attempt ?? '?'} ${e.reason}: ${e.message}`,
  );
}

function Block({
  title,
  lines,
  max,
  width,
}: {
  readonly title: string;
  readonly lines: readonly string[];
  readonly max: number;
  readonly width: number;
}) {
  const shown = lines.length > max ? lines.slice(0, Math.max(1, max - 1)) : lines;
  const rest = lines.length - shown.length;
  return (
    <Box flexDirection="column">
      <Text bold color="gray">
        {title}
      </Text>
      {shown.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of a fixed text, never reordered.
        <Text key={i}>{clip(`  ${l}`, width)}</Text>
      ))}
      {rest > 0 ? <Text color="gray">{`  … ${rest} more line${rest === 1 ? '' : 's'}`}</Text> : null}
    </Box>
  );
}

/** One task: payload, attempts, errors, result, dependencies, trace id and a progress bar. */
export function TaskDetail({ id, detail, error, now, width, height }: TaskDetailProps) {
  if (!detail) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text bold> Task {id}</Text>
        <Text color={error ? 'red' : 'gray'}> {error ?? 'loading…'}</Text>
      </Box>
    );
  }
  const t = detail.task;
  const took = t.startedAt !== null ? (t.finishedAt ?? now) - t.startedAt : null;
  const parents = detail.parents.length
    ? detail.parents.map((p) => `${p.id} (${p.state ?? 'deleted'})`).join(', ')
    : '—';
  const errors = t.errors.length
    ? errorLines(t.errors)
    : t.error
      ? [`${t.error.reason}: ${t.error.message}`]
      : ['—'];
  const budget = Math.max(3, Math.floor((height - 9) / 3));
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text>
        <Text bold> Task {t.id} </Text>
        <Text color={STATE_COLORS[t.state]} bold>
          {t.state}
        </Text>
        <Text color="gray">
          {clip(
            ` · ${t.type} · queue ${t.queue} · priority ${t.priority}${t.reason ? ` · ${t.reason}` : ''}`,
            width - t.id.length - 18,
          )}
        </Text>
      </Text>
      <Text>
        {' progress '}
        <ProgressBar value={t.progress} width={Math.max(10, Math.min(40, width - 40))} />
      </Text>
      <Text>
        {clip(
          ` attempts ${t.attempts} of ${t.maxRetries + 1} · worker ${t.worker ?? '—'} · timeout ${t.timeoutMs === null ? '—' : duration(t.timeoutMs)} · deadline ${t.deadline === null ? '—' : clock(t.deadline)}`,
          width,
        )}
      </Text>
      <Text color="gray">
        {clip(
          ` created ${clock(t.createdAt)} · started ${clock(t.startedAt)} · finished ${clock(t.finishedAt)}${took === null ? '' : ` · ran ${duration(took)}`}`,
          width,
        )}
      </Text>
      <Text>{clip(` trace ${traceIdOf(t.trace) ?? '—'}`, width)}</Text>
      <Text>{clip(` depends on ${parents}`, width)}</Text>
      <Text>
        {clip(` dependents ${detail.dependents.length ? detail.dependents.join(', ') : '—'}`, width)}
      </Text>
      <Block title=" payload" lines={jsonLines(t.payload)} max={budget} width={width} />
      <Block
        title=" result"
        lines={t.result === null || t.result === undefined ? ['—'] : jsonLines(t.result)}
        max={budget}
        width={width}
      />
      <Block title=" errors" lines={errors} max={budget} width={width} />
    </Box>
  );
}
