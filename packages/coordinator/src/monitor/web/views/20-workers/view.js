// Workers: heartbeat freshness, pool and load, and the operator's controls
// (scale the pool, pause/resume, drain, work stealing), sent as control commands.
let lastWorkers = [];

async function control(id, command, body) {
  const r = await act(`/api/v1/workers/${enc(id)}/${command}`, body, `${command} sent to ${id}`);
  if (r) setTimeout(() => safely(refresh), 600);
}

function poolCell(w) {
  return h(
    'span',
    { class: 'pool' },
    h(
      'button',
      {
        type: 'button',
        title: 'one slot fewer',
        'aria-label': `scale ${w.id} down`,
        'data-action': 'scale-down',
        disabled: w.poolSize <= w.min,
        onclick: () => control(w.id, 'scale', { size: w.poolSize - 1 }),
      },
      '−',
    ),
    h('b', { 'data-pool': w.id }, fmt(w.poolSize)),
    h(
      'button',
      {
        type: 'button',
        title: 'one slot more',
        'aria-label': `scale ${w.id} up`,
        'data-action': 'scale-up',
        disabled: w.poolSize >= w.max,
        onclick: () => control(w.id, 'scale', { size: w.poolSize + 1 }),
      },
      '+',
    ),
  );
}

function busyCell(w) {
  const pct = w.poolSize ? Math.min(100, (100 * w.busy) / w.poolSize) : 0;
  return h(
    'span',
    { title: `${w.busy} of ${w.poolSize} slots busy` },
    h('span', { class: 'busybar' }, h('i', { style: `width:${pct}%` })),
    `${fmt(w.busy)}/${fmt(w.poolSize)}`,
  );
}

function render(workers, heartbeatMs) {
  const live = workers.filter((w) => w.status !== 'dead').length;
  $('workers-sub').textContent = `${live} live · heartbeat every ${ago(heartbeatMs)}`;
  // A worker counts attempts (one task may fail several times); the overview's Failed card counts tasks.
  const cols = [
    { label: 'worker', cls: 'lead mono' },
    { label: 'heartbeat' },
    { label: 'state' },
    { label: 'host', cls: 'phone-hide' },
    { label: 'pool', title: 'slots; − and + scale the pool within min–max' },
    { label: 'min–max', num: true },
    { label: 'busy' },
    { label: 'window', num: true, title: 'tasks reserved ahead of the slots' },
    {
      label: 'attempts done',
      num: true,
      title: 'attempts this worker finished (succeeded or failed), since it started',
    },
    {
      label: 'attempts failed',
      num: true,
      title:
        'attempts that failed on this worker, since it started; a retried task counts once per failed attempt',
    },
    { label: 'steals', num: true },
    { label: 'steal' },
    { label: '', cls: 'wide' },
  ];
  const rows = workers.map((w) => {
    const st = w.draining ? 'draining' : w.paused ? 'paused' : 'active';
    return {
      attrs: { 'data-worker': w.id },
      cells: [
        {
          cell: w.id,
          title: `queues: ${(w.queues || []).join(', ')} · handlers: ${(w.handlers || []).join(', ')}`,
        },
        badge(ago(w.heartbeatAgeMs), w.status),
        badge(st, st),
        w.host ? `${w.host}:${w.pid}` : '–',
        poolCell(w),
        `${w.min}–${w.max}`,
        busyCell(w),
        fmt(w.window),
        fmt(w.processed),
        { cell: fmt(w.failed), cls: w.failed ? '' : 'zero' },
        { cell: fmt(w.steals), cls: w.steals ? '' : 'zero' },
        h(
          'button',
          {
            type: 'button',
            class: w.steal ? 'on' : '',
            title: 'toggle work stealing',
            onclick: () => control(w.id, 'steal', { on: !w.steal }),
          },
          w.steal ? 'on' : 'off',
        ),
        h(
          'span',
          { class: 'btns' },
          w.paused
            ? h(
                'button',
                { type: 'button', 'data-action': 'resume', onclick: () => control(w.id, 'resume') },
                'resume',
              )
            : h(
                'button',
                {
                  type: 'button',
                  'data-action': 'pause',
                  title: 'stop taking new work (running tasks finish)',
                  onclick: () => control(w.id, 'pause'),
                },
                'pause',
              ),
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              disabled: w.draining,
              title: 'stop taking work and hand back the window',
              onclick: () => confirm(`Drain ${w.id}?`) && control(w.id, 'drain'),
            },
            'drain',
          ),
        ),
      ],
    };
  });
  renderTable($('workers'), cols, rows, 'No worker registered. Start one with dtps-worker.');
}

function renderRecommendation(o) {
  const rec = o?.recommendation;
  $('recommendation').replaceChildren(
    h(
      'h2',
      {},
      'Scaling advice ',
      h('span', { class: 'sub' }, 'from the leading coordinator, for an autoscaler'),
    ),
    rec
      ? h(
          'div',
          {},
          h('b', {}, `${rec.workers} worker process${rec.workers === 1 ? '' : 'es'}`),
          ` for a backlog of ${fmt(rec.backlog)} (${fmt(rec.liveWorkers)} live, ${rec.throughput.toFixed(1)} tasks/s)`,
          h('p', {}, rec.reason),
        )
      : h('div', { class: 'muted' }, 'No recommendation yet: the leader computes one every second.'),
  );
}

async function refresh(o) {
  const { workers, heartbeatMs } = await api('/api/v1/workers');
  lastWorkers = workers;
  const handlers = new Set(workers.flatMap((w) => w.handlers || []));
  $('handler-list').replaceChildren(...[...handlers].sort().map((t) => h('option', { value: t })));
  render(workers, heartbeatMs);
  renderRecommendation(o || app.overview);
}

defineView({
  name: 'workers',
  title: 'Workers',
  refresh,
  badge: (o) => o.workers.live,
  mount() {
    // The submit form offers the handlers workers announce, even before this view is opened.
    safely(async () => {
      const { workers } = await api('/api/v1/workers');
      if (!lastWorkers.length)
        $('handler-list').replaceChildren(
          ...[...new Set(workers.flatMap((w) => w.handlers || []))]
            .sort()
            .map((t) => h('option', { value: t })),
        );
    });
  },
});
