import type { ScheduleDetail } from '@dtps/core';
import { Box, Text } from 'ink';
import { cell, clip, count, duration } from './format.js';

/** A schedule as the table shows it: text, so that an unchanged row compares equal. */
export interface ScheduleRow {
  readonly id: string;
  readonly when: string;
  /** The next run, relative (`in 4.2s`), or `paused`. */
  readonly next: string;
  /** The last handled due time, relative (`3.1s ago`). */
  readonly last: string;
  /** How it ended, and where its task is now: `fired → succeeded`, `skipped-overlap`, `missed`. */
  readonly outcome: string;
  readonly tone: 'good' | 'bad' | 'neutral';
  readonly fired: string;
  readonly type: string;
}

export interface SchedulesProps {
  readonly rows: readonly ScheduleRow[];
  readonly width: number;
  readonly height: number;
}

const BAD = new Set(['failed', 'expired', 'cancelled', 'refused', 'missed', 'skipped-overlap']);

/** A schedule's row at `now`. */
export function scheduleRow(s: ScheduleDetail, now: number): ScheduleRow {
  const when = 'cron' in s ? `${s.cron}${s.tz ? ` ${s.tz}` : ''}` : `every ${duration(s.everyMs)}`;
  const state = s.lastTask ? (s.lastTask.state ?? 'deleted') : null;
  const outcome =
    s.lastOutcome === null ? '—' : state && s.lastOutcome === 'fired' ? `fired → ${state}` : s.lastOutcome;
  const endState = state ?? s.lastOutcome ?? '';
  const tone =
    s.lastOutcome === null
      ? 'neutral'
      : BAD.has(endState) || BAD.has(s.lastOutcome)
        ? 'bad'
        : endState === 'succeeded'
          ? 'good'
          : 'neutral';
  return {
    id: s.id,
    when,
    next: s.paused
      ? 'paused'
      : s.next === null
        ? '—'
        : s.next <= now
          ? 'due'
          : `in ${duration(s.next - now)}`,
    last: s.last === null ? '—' : `${duration(Math.max(0, now - s.last))} ago`,
    outcome,
    tone,
    fired: count(s.fired),
    type: s.template.type,
  };
}

const FIXED = [
  ['NEXT', 10, 'right'],
  ['LAST', 10, 'right'],
  ['OUTCOME', 20, 'left'],
  ['FIRED', 6, 'right'],
] as const;

const TONES = { good: 'green', bad: 'red', neutral: undefined } as const;

/** One row a schedule: its timing, next and last run, the last run's outcome, runs fired. */
export function Schedules({ rows, width, height }: SchedulesProps) {
  const fixed = FIXED.reduce((n, [, w]) => n + w + 1, 0) + 2;
  const rest = Math.max(16, width - fixed);
  const idWidth = Math.max(8, Math.floor(rest * 0.4));
  const whenWidth = Math.max(8, rest - idWidth - 1);
  const header = [
    '  ',
    cell('SCHEDULE', idWidth),
    ` ${cell('WHEN', whenWidth)}`,
    ...FIXED.map(([h, w, a]) => ` ${cell(h, w, a)}`),
  ].join('');
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold color="gray">
        {clip(header, width)}
      </Text>
      {rows.length === 0 ? <Text color="gray"> no schedules — add one with dtps schedule add</Text> : null}
      {rows.map((r) => (
        <Box key={r.id} height={1}>
          <Text>
            {'  '}
            {cell(r.id, idWidth)}
            {` ${cell(r.when, whenWidth)}`}
            {` ${cell(r.next, 10, 'right')}`}
            {` ${cell(r.last, 10, 'right')}`}
          </Text>
          <Text color={TONES[r.tone]}> {cell(r.outcome, 20)}</Text>
          <Text> {cell(r.fired, 6, 'right')}</Text>
        </Box>
      ))}
      <Box flexGrow={1} />
      <Text color="gray">
        {' '}
        {rows.length} schedules · fired by the leading coordinator · dtps schedule --help
      </Text>
    </Box>
  );
}
