// A task's stored log (the lines its handler wrote with ctx.log), for the
// detail panel: time, attempt and message, newest first. The store keeps the
// newest 100 lines / 64 KiB per task; control characters are shown as marks.

/** "12:04:31.052": the time of a line, to the millisecond (lines come fast). */
function logClock(at) {
  const d = new Date(at);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** The "Log" section of the detail: a heading with the count, then the lines. */
function renderLogs(logs) {
  const lines = Array.isArray(logs) ? logs : [];
  const attempts = new Set(lines.map((l) => l.attempt)).size;
  const title = h(
    'h3',
    {},
    `Log (${lines.length} ${lines.length === 1 ? 'line' : 'lines'}`,
    attempts > 1 ? `, ${attempts} attempts` : '',
    lines.length > 1 ? ', newest first' : '',
    ')',
  );
  if (!lines.length) return [title, h('div', { class: 'muted', id: 'detail-logs' }, 'nothing logged')];
  const rows = [...lines]
    .reverse()
    .map((l) =>
      h(
        'tr',
        { 'data-attempt': String(l.attempt) },
        h('td', { class: 'muted mono', title: new Date(l.at).toLocaleString() }, logClock(l.at)),
        h('td', { class: 'num muted', title: 'attempt' }, `#${l.attempt}`),
        h('td', { class: 'msg' }, printable(l.message)),
      ),
    );
  return [
    title,
    h(
      'div',
      { class: 'logs' },
      h('table', { id: 'detail-logs', 'aria-label': 'log lines, newest first' }, h('tbody', {}, rows)),
    ),
    lines.length >= 100
      ? h(
          'div',
          { class: 'muted small' },
          'the newest 100 lines are kept; older ones went to the worker log only',
        )
      : null,
  ].filter(Boolean);
}
