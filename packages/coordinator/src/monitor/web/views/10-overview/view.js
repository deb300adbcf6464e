// Overview: headline figures, every queue with its depth by state (pause and
// resume a queue here), and the selected queue's live rates, latency and depth.
const DEPTH_KEEP_MS = 10 * 60 * 1000;
const BAR = {
  queued: 'var(--info)',
  reserved: 'var(--purple)',
  running: 'var(--warn)',
  scheduled: 'var(--idle)',
  pending: '#b9c0cc',
};
/** queue -> [{t, counts}] sampled by this page, for the depth chart before the roll-up has points. */
const depth = new Map();
let series = null;

function sample(o) {
  const now = Date.now();
  for (const q of o.queues) {
    const list = depth.get(q.name) || [];
    list.push({ t: now, counts: q.counts });
    while (list.length && list[0].t < now - DEPTH_KEEP_MS) list.shift();
    depth.set(q.name, list);
  }
}

/** Completions per second and latency over the last 10 s of the selected queue's series. */
function recent(points) {
  const last = points.slice(-10);
  const done = last.reduce((n, p) => n + (p.succeeded || 0) + (p.failed || 0), 0);
  const p99 = last.map((p) => p.p99Ms).filter((v) => v !== null && v !== undefined);
  return { rate: last.length ? done / last.length : null, p99: p99.length ? Math.max(...p99) : null };
}

function renderStats(o) {
  const sum = (st) => o.queues.reduce((n, q) => n + (q.counts[st] || 0), 0);
  const total = (f) => o.queues.reduce((n, q) => n + (q.totals[f] || 0), 0);
  const rec = o.recommendation;
  const r = recent(series?.points || []);
  const stat = (label, value, hint, unit) =>
    h(
      'div',
      { class: 'stat' },
      h('div', { class: 'label' }, label),
      h('div', { class: 'value' }, value, unit ? h('small', {}, unit) : null),
      h('div', { class: 'hint', title: hint || '' }, hint || ''),
    );
  $('stats').replaceChildren(
    stat('Queued', fmt(sum('queued') + sum('reserved')), `${fmt(sum('reserved'))} reserved in windows`),
    stat(
      'Running',
      fmt(sum('running')),
      `${fmt(sum('scheduled'))} scheduled · ${fmt(sum('pending'))} pending`,
    ),
    stat('Succeeded', fmt(total('succeeded')), `${fmt(sum('succeeded'))} kept`),
    stat(
      'Failed tasks',
      fmt(total('failed')),
      `tasks that ended failed · ${fmt(total('retried'))} failed attempts retried · ${fmt(total('expired'))} expired`,
    ),
    stat(
      'Done / s',
      r.rate === null ? '–' : r.rate < 10 ? r.rate.toFixed(1) : fmt(Math.round(r.rate)),
      `${app.queue || 'no queue'}, last 10 s`,
    ),
    stat('p99 latency', r.p99 === null ? '–' : fmtMs(r.p99), `${app.queue || 'no queue'}, last 10 s`),
    stat('Workers', `${o.workers.live} / ${o.workers.total}`, 'live / registered'),
    stat('Recommended', rec ? String(rec.workers) : '–', rec ? rec.reason : 'no data yet'),
  );
}

function depthBar(counts) {
  const parts = Object.keys(BAR)
    .map((st) => [st, counts[st] || 0])
    .filter(([, n]) => n > 0);
  const all = parts.reduce((n, [, v]) => n + v, 0);
  return h(
    'span',
    { class: 'depthbar', title: parts.map(([st, n]) => `${st} ${n}`).join(' · ') || 'empty' },
    parts.map(([st, n]) => h('i', { style: `width:${(100 * n) / all}%;background:${BAR[st]}` })),
  );
}

function renderQueues(o) {
  const cols = [
    { label: 'queue', cls: 'lead' },
    { label: 'status' },
    {
      label: 'depth',
      cls: 'wide phone-hide',
      title: 'tasks not finished: queued, reserved, running, scheduled, pending',
    },
    ...STATES.map((st) => ({ label: st, num: true })),
    { label: 'submitted', num: true },
    { label: '', cls: 'wide' },
  ];
  const rows = o.queues.map((q) => ({
    attrs: {
      class: `clickable${q.name === app.queue ? ' selected' : ''}`,
      'data-queue': q.name,
      onclick: () => app.selectQueue(q.name),
    },
    cells: [
      h('b', {}, q.name),
      q.paused ? badge('paused', 'paused') : badge('active', 'active'),
      depthBar(q.counts),
      ...STATES.map((st) => ({ cell: fmt(q.counts[st]), cls: q.counts[st] ? '' : 'zero' })),
      fmt(q.totals.submitted || 0),
      h(
        'span',
        { class: 'btns' },
        h(
          'button',
          {
            type: 'button',
            'data-action': q.paused ? 'resume-queue' : 'pause-queue',
            title: q.paused
              ? 'tasks of this queue start again'
              : 'no task of this queue starts on any worker until resumed',
            onclick: (ev) => {
              ev.stopPropagation();
              const what = q.paused ? 'resume' : 'pause';
              if (
                what === 'pause' &&
                !confirm(`Pause queue ${q.name}? No task of it starts until you resume it.`)
              )
                return;
              act(
                `/api/v1/queues/${enc(q.name)}/${what}`,
                undefined,
                `queue ${q.name} ${what === 'pause' ? 'paused' : 'resumed'}`,
              ).then(app.refreshSoon);
            },
          },
          q.paused ? 'resume' : 'pause',
        ),
        h(
          'button',
          {
            type: 'button',
            title: 'list its tasks',
            onclick: (ev) => {
              ev.stopPropagation();
              app.go('tasks', { queue: q.name });
            },
          },
          'tasks',
        ),
      ),
    ],
  }));
  renderTable($('queues'), cols, rows, 'No queue yet: submit a task.');
}

function renderCharts(q) {
  if (!series || series.name !== q) return;
  const pts = series.points;
  const to = pts.length ? pts[pts.length - 1].t + 1000 : Date.now();
  const from = to - 60_000;
  const rate = (v) => (v >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10));
  lineChart(
    $('ch-throughput'),
    $('lg-throughput'),
    ['submitted', 'succeeded', 'failed'].map((k) => ({
      name: k,
      color: COLORS[k],
      points: pts.map((p) => [p.t, p[k]]),
    })),
    { from, to, unit: (v) => `${rate(v)}/s`, minStep: 0.1 },
  );
  lineChart(
    $('ch-latency'),
    $('lg-latency'),
    ['p50', 'p99'].map((k) => ({
      name: k,
      color: COLORS[k],
      points: pts.map((p) => [p.t, p[`${k}Ms`]]),
    })),
    {
      from,
      to,
      unit: (v) => (v >= 1000 ? `${Math.round(v / 100) / 10}s` : `${Math.round(v)}ms`),
      minStep: 1,
    },
  );
  // Depth: the roll-up's points where they carry one, plus what this page sampled.
  const samples = [
    ...pts.filter((p) => p.depth).map((p) => ({ t: p.t, counts: p.depth })),
    ...(depth.get(q) || []),
  ].sort((a, b) => a.t - b.t);
  const dto = Math.max(to, Date.now());
  lineChart(
    $('ch-depth'),
    $('lg-depth'),
    ['queued', 'reserved', 'running'].map((st) => ({
      name: st,
      color: COLORS[st],
      points: samples.map((p) => [p.t, p.counts[st] ?? 0]),
    })),
    { from: dto - 120_000, to: dto, unit: (v) => fmt(Math.round(v)), minStep: 1 },
  );
}

async function refresh(o) {
  sample(o);
  const q = app.queue;
  if (q) {
    const detail = await api(`/api/v1/queues/${enc(q)}`);
    if (q === app.queue) series = { name: q, points: detail.series.points };
  }
  renderStats(o);
  renderQueues(o);
  for (const el of document.querySelectorAll('[data-queue-label]')) el.textContent = app.queue || '';
  if (q) renderCharts(q);
}

app.onQueue(() => {
  if (app.current?.name === 'overview' && app.overview) safely(() => refresh(app.overview));
});

defineView({
  name: 'overview',
  title: 'Overview',
  refresh,
});
