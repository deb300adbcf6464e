import { type TaskDetail as Detail, shownLogMessage, type TaskError, type TaskLog } from '@dtps/core';
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

/**
 * The stored log lines, oldest first: `HH:MM:SS #attempt message`, a
 * multi-line message's further lines indented under it. Control characters
 * (a handler's terminal escapes) are shown as `\uXXXX`: they would redraw
 * the console.
 */
export function logLines(logs: readonly TaskLog[]): string[] {
  return logs.flatMap((l) => {
    const head = `${clock(l.at)} #${l.attempt} `;
    const [first = '', ...more] = shownLogMessage(l.message).split('\n');
    return [head + first, ...more.map((m) => ' '.repeat(head.length) + m)];
  });
}

/**
 * Rows for blocks that need `needs` rows, `total` in all: short blocks get
 * what they need, the rest share what is left evenly (each at least 2: a
 * line and the `… more` note).
 */
export function shareLines(needs: readonly number[], total: number): number[] {
  const out = needs.map(() => 0);
  let left = total;
  const order = needs.map((n, i) => [n, i] as const).sort((a, b) => a[0] - b[0]);
  order.forEach(([need, i], k) => {
    const fair = Math.floor(left / (order.length - k));
    out[i] = Math.max(Math.min(need, 2), Math.min(need, fair));
    left -= out[i]!;
  });
  return out;
}

function Block({
  title,
  lines,
  max,
  width,
  tail = false,
}: {
  readonly title: string;
  readonly lines: readonly string[];
  readonly max: number;
  readonly width: number;
  /** Show the last lines (a log: the newest matter), not the first. */
  readonly tail?: boolean;
}) {
  const keep = Math.max(1, max - 1);
  const shown = lines.length <= max ? lines : tail ? lines.slice(-keep) : lines.slice(0, keep);
  const rest = lines.length - shown.length;
  const note =
    rest > 0 ? (
      <Text color="gray">{`  … ${rest} ${tail ? 'earlier' : 'more'} line${rest === 1 ? '' : 's'}`}</Text>
    ) : null;
  return (
    <Box flexDirection="column">
      <Text bold color="gray">
        {title}
      </Text>
      {tail ? note : null}
      {shown.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of a fixed text, never reordered.
        <Text key={i}>{clip(`  ${l}`, width)}</Text>
      ))}
      {tail ? null : note}
    </Box>
  );
}

/** One task: payload, attempts, errors, result, its log, dependencies, trace id and a progress bar. */
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
  const payload = jsonLines(t.payload);
  const result = t.result === null || t.result === undefined ? ['—'] : jsonLines(t.result);
  const logs = t.logs.length ? logLines(t.logs) : ['—'];
  // Seven lines above the blocks, and a title each.
  const [payloadMax, resultMax, errorsMax, logMax] = shareLines(
    [payload.length, result.length, errors.length, logs.length],
    height - 7 - 4,
  ) as [number, number, number, number];
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
      <Block title=" payload" lines={payload} max={payloadMax} width={width} />
      <Block title=" result" lines={result} max={resultMax} width={width} />
      <Block title=" errors" lines={errors} max={errorsMax} width={width} />
      <Block
        title={` log${t.logs.length ? ` (${t.logs.length} line${t.logs.length === 1 ? '' : 's'})` : ''}`}
        lines={logs}
        max={logMax}
        width={width}
        tail
      />
    </Box>
  );
}
