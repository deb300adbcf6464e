/** Human-readable rendering: task blocks, tables, times. Pure functions. */
import { shownLogMessage, type Task } from '@dtps/core';

/** An ISO time, or `-` for none. */
export function isoTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString();
}

/** A short duration: `850ms`, `12s`, `5m`, `3h`, `2d`. */
export function shortDuration(ms: number): string {
  const abs = Math.max(0, ms);
  if (abs < 1000) return `${Math.round(abs)}ms`;
  if (abs < 60_000) return `${Math.floor(abs / 1000)}s`;
  if (abs < 3_600_000) return `${Math.floor(abs / 60_000)}m`;
  if (abs < 86_400_000) return `${Math.floor(abs / 3_600_000)}h`;
  return `${Math.floor(abs / 86_400_000)}d`;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** JSON on one line, shortened for a terminal. */
export function compactJson(value: unknown, max = 200): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The readable block of `dtps status` and `dtps wait`. */
export function formatTask(task: Task): string {
  const rows: [string, string][] = [
    ['id', task.id],
    ['state', task.reason && task.reason !== task.state ? `${task.state} (${task.reason})` : task.state],
    ['queue', task.queue],
    ['type', task.type],
    ['priority', String(task.priority)],
    ['attempts', `${task.attempts} (max retries ${task.maxRetries})`],
    ['payload', compactJson(task.payload)],
    ['created', isoTime(task.createdAt)],
    ['started', isoTime(task.startedAt)],
    ['finished', isoTime(task.finishedAt)],
  ];
  if (task.deadline !== null) rows.push(['deadline', isoTime(task.deadline)]);
  if (task.runAt !== null) rows.push(['run at', isoTime(task.runAt)]);
  if (task.timeoutMs !== null) rows.push(['timeout', `${task.timeoutMs} ms`]);
  if (task.dependsOn.length > 0) rows.push(['depends on', task.dependsOn.join(', ')]);
  if (task.idempotencyKey !== null) rows.push(['idem. key', task.idempotencyKey]);
  if (task.worker !== null) rows.push(['worker', task.worker]);
  if (task.progress !== null) rows.push(['progress', `${task.progress}%`]);
  if (task.error !== null) rows.push(['error', `${task.error.reason}: ${task.error.message}`]);
  if (task.state === 'succeeded') rows.push(['result', compactJson(task.result)]);
  if (task.unreadable) rows.push(['unreadable', `${task.unreadable.field}: ${task.unreadable.reason}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const block = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
  return task.logs.length === 0 ? block : `${block}\n${formatLogs(task.logs)}`;
}

/**
 * The stored log lines under a heading: time, attempt, message; the lines of a
 * multi-line message indented under it. Control characters (a handler's
 * stray terminal escapes) are shown as `\uXXXX`, never sent to the terminal.
 */
export function formatLogs(logs: Task['logs']): string {
  const lines = logs.map((l) => {
    const head = `  ${isoTime(l.at)}  #${l.attempt}  `;
    return (
      head +
      shownLogMessage(l.message)
        .split('\n')
        .join(`\n${' '.repeat(head.length)}`)
    );
  });
  return [`logs (${logs.length} line${logs.length === 1 ? '' : 's'}, oldest first)`, ...lines].join('\n');
}
