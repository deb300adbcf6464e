// Tasks: a page of summaries of one queue, filtered by state and priority
// (the state chips show how many there are) and searched by type, group and
// a payload field (a bounded scan); one task's detail with retry or cancel
// and its log; "select all matching" for bulk operations (bulk.js). All
// follow the live event stream.
const filter = { state: '', priority: '' };
/** The search: {type?, group?, field?, value?}; empty searches nothing. */
let search = {};
let scanned = 0; // ids looked at by the pages of the list shown (a search's bounded scan)
let cursor = null; // of the next page, null at the end
let paged = false; // more than the first page shown: no refresh under the reader's eyes
let selected = null; // {id, queue}
let dirty = null;
let listed = null; // the queue the list shows

function taskRow(t) {
  return {
    attrs: {
      class: `clickable${selected?.id === t.id ? ' selected' : ''}`,
      'data-id': t.id,
      onclick: () => openTask(t.id, t.queue, true),
    },
    cells: [
      t.id,
      t.unreadable ? h('span', { class: 'muted', title: t.unreadable }, 'unreadable') : t.type,
      badge(t.state),
      t.priority === null ? '–' : String(t.priority),
      t.maxRetries === null ? String(t.attempts) : `${t.attempts}/${t.maxRetries + 1}`,
      { cell: bytes(t.payloadBytes), title: 'payload size; the detail shows the payload' },
      t.worker || '',
      t.createdAt ? `${ago(Date.now() - t.createdAt)} ago` : '–',
    ],
  };
}

const COLS = [
  { label: 'id', cls: 'lead mono' },
  { label: 'type' },
  { label: 'state' },
  { label: 'prio', num: true },
  { label: 'attempts', num: true },
  { label: 'payload', num: true, cls: 'muted' },
  { label: 'worker', cls: 'mono muted phone-hide' },
  { label: 'created', cls: 'muted' },
];

async function refreshList(more) {
  const q = app.queue;
  if (!q) return;
  const params = new URLSearchParams({ queue: q, limit: '50' });
  if (filter.state) params.set('state', filter.state);
  if (filter.priority) params.set('priority', filter.priority);
  for (const [k, v] of Object.entries(search)) params.set(k, v);
  if (more && cursor) params.set('cursor', cursor);
  const asked = JSON.stringify(search);
  const page = await api(`/api/v1/tasks?${params}`);
  if (q !== app.queue || asked !== JSON.stringify(search)) return;
  listed = q;
  const table = $('tasks');
  if (more) {
    const probe = h('table');
    renderTable(probe, COLS, page.tasks.map(taskRow), '');
    table.querySelector('tbody').append(...probe.querySelectorAll('tbody tr[data-id]'));
    paged = true;
  } else {
    renderTable(
      table,
      COLS,
      page.tasks.map(taskRow),
      filter.state ? `No ${filter.state} task in ${q}.` : `No task in ${q}.`,
    );
    paged = false;
  }
  cursor = page.cursor;
  scanned = (more ? scanned : 0) + (page.scanned || 0);
  const shown = table.querySelectorAll('tbody tr[data-id]').length;
  const scanning = page.truncated === 'scan';
  $('task-more').hidden = !page.cursor;
  $('task-more').textContent = scanning ? 'Continue the scan' : 'Load more';
  $('task-count').textContent = `${shown} shown`;
  // A search is a bounded scan, not an index: say how far it has looked.
  const searching = Object.keys(search).length > 0;
  $('task-scan').hidden = !searching;
  $('task-scan').textContent = !searching
    ? ''
    : page.cursor
      ? `Scanned ${fmt(scanned)} tasks, ${fmt(shown)} found so far${scanning ? ': the scan stopped at its bound, continue it below' : ''}.`
      : `Scanned ${fmt(scanned)} tasks: ${fmt(shown)} found, the whole ${filter.state ? `${filter.state} list` : 'queue'} searched.`;
}

/** Called by bulk.js when an operation ends: the list shows its outcome. */
function onBulkDone() {
  safely(() => refreshList());
}

function renderFilters(o) {
  const qs = o ? o.queues.map((q) => q.name) : [];
  const sel = $('task-queue');
  if ([...sel.options].map((x) => x.value).join() !== qs.join())
    sel.replaceChildren(...qs.map((n) => h('option', { value: n }, n)));
  sel.value = app.queue || '';
  const counts = o?.queues.find((q) => q.name === app.queue)?.counts || {};
  const chip = (st, label, n) =>
    h(
      'button',
      {
        type: 'button',
        class: filter.state === st ? 'active' : '',
        'data-state': st,
        'aria-pressed': String(filter.state === st),
        onclick: () => {
          filter.state = st;
          renderFilters(app.overview);
          renderSelectAll();
          safely(() => refreshList());
        },
      },
      label,
      n === undefined ? null : h('span', { class: 'n' }, fmt(n)),
    );
  const all = STATES.reduce((n, st) => n + (counts[st] || 0), 0);
  $('task-states').replaceChildren(
    chip('', 'all', all),
    ...STATES.map((st) => chip(st, st, counts[st] || 0)),
  );
}

/** Shows one task; `scroll` brings the detail into view (at phone width it sits below the list). */
async function openTask(id, queue, scroll) {
  selected = { id, queue };
  const want = `#tasks?task=${enc(id)}${queue ? `&queue=${enc(queue)}` : ''}`;
  if (location.hash !== want) history.replaceState(null, '', want);
  for (const tr of document.querySelectorAll('#tasks tr[data-id]'))
    tr.classList.toggle('selected', tr.dataset.id === id);
  let d;
  try {
    d = await api(`/api/v1/tasks/${enc(id)}${queue ? `?queue=${enc(queue)}` : ''}`);
  } catch (e) {
    $('detail').replaceChildren(
      h('h2', {}, 'Task ', h('span', { class: 'mono' }, id)),
      h('div', { class: 'empty' }, explain(e)),
    );
    return;
  }
  if (selected?.id !== id) return;
  selected.queue = d.task.queue;
  renderDetail(d);
  if (scroll && window.matchMedia('(max-width: 1000px)').matches)
    $('detail').scrollIntoView({ behavior: 'smooth' });
}

function renderDetail(d) {
  const t = d.task;
  const json = (v) => h('pre', {}, v === null || v === undefined ? 'null' : JSON.stringify(v, null, 2));
  // The monitor leaves out a body larger than it sends, and says so.
  const omitted = d.omitted || [];
  const body = (name, v) =>
    omitted.includes(name)
      ? h('div', { class: 'muted' }, `too large to show here (${bytes(d.sizes[name])})`)
      : json(v);
  const link = (tid) => h('a', { class: 'id', onclick: () => openTask(tid, t.queue) }, tid);
  const run = async (what) => {
    const r = await act(
      `/api/v1/tasks/${enc(t.id)}/${what}?queue=${enc(t.queue)}`,
      undefined,
      `${what} ${t.id}: done`,
    );
    if (r) {
      openTask(t.id, t.queue);
      safely(() => refreshList());
    }
  };
  const errors = omitted.includes('errors')
    ? t.error
      ? [t.error]
      : []
    : t.errors?.length
      ? t.errors
      : t.error
        ? [t.error]
        : [];
  const kv = (k, v) => [h('dt', {}, k), h('dd', {}, v)];
  $('detail').replaceChildren(
    h(
      'h2',
      {},
      'Task ',
      h('span', { class: 'mono', id: 'detail-id' }, t.id),
      h('span', { id: 'detail-state' }, badge(t.state)),
      h(
        'span',
        { class: 'legend' },
        TERMINAL.has(t.state)
          ? h('button', { type: 'button', 'data-action': 'retry', onclick: () => run('retry') }, 'Retry')
          : h(
              'button',
              {
                type: 'button',
                class: 'danger',
                'data-action': 'cancel',
                onclick: () => confirm(`Cancel ${t.id}?`) && run('cancel'),
              },
              'Cancel',
            ),
      ),
    ),
    h(
      'dl',
      { class: 'kv' },
      kv('type', t.type),
      kv('queue', t.queue),
      kv('priority', String(t.priority)),
      kv('attempts', `${t.attempts} of ${t.maxRetries + 1}`),
      kv('worker', h('span', { class: 'mono' }, t.worker || '–')),
      kv('created', when(t.createdAt)),
      kv('started', when(t.startedAt)),
      kv('finished', when(t.finishedAt)),
      t.startedAt && t.createdAt ? kv('waited', fmtMs(t.startedAt - t.createdAt)) : null,
      t.finishedAt && t.startedAt ? kv('ran', fmtMs(t.finishedAt - t.startedAt)) : null,
      t.deadline ? kv('deadline', when(t.deadline)) : null,
      t.timeoutMs ? kv('timeout', fmtMs(t.timeoutMs)) : null,
      t.reason ? kv('reason', t.reason) : null,
      t.progress !== null && t.progress !== undefined
        ? kv('progress', [
            `${t.progress}%`,
            h('div', { class: 'progress' }, h('i', { style: `width:${t.progress}%` })),
          ])
        : null,
    ),
    h('h3', {}, `Payload (${bytes(d.sizes?.payload ?? 0)})`),
    body('payload', t.payload),
    h('h3', {}, `Result (${bytes(d.sizes?.result ?? 0)})`),
    body('result', t.result),
    h('h3', {}, `Errors (${errors.length})`),
    errors.length
      ? h(
          'table',
          {},
          h(
            'tbody',
            {},
            errors.map((e) =>
              h(
                'tr',
                {},
                h('td', { class: 'num' }, e.attempt !== undefined ? `#${e.attempt}` : ''),
                h('td', {}, badge(e.reason || 'error', 'failed')),
                h('td', { style: 'white-space:normal' }, e.message),
                h('td', { class: 'muted' }, e.at ? `${ago(Date.now() - e.at)} ago` : ''),
              ),
            ),
          ),
        )
      : h('div', { class: 'muted' }, 'none'),
    ...renderLogs(t.logs),
    h('h3', {}, 'Depends on'),
    d.parents.length
      ? h(
          'div',
          {},
          d.parents.map((p) =>
            h(
              'div',
              {},
              link(p.id),
              ' ',
              p.state ? badge(p.state) : h('span', { class: 'muted' }, 'deleted'),
            ),
          ),
        )
      : h('div', { class: 'muted' }, 'nothing'),
    h('h3', {}, 'Dependents'),
    d.dependents.length
      ? h(
          'div',
          {},
          d.dependents.map((c) => h('div', {}, link(c))),
        )
      : h('div', { class: 'muted' }, 'none'),
  );
}

function markDirty() {
  if (dirty) return;
  dirty = setTimeout(() => {
    dirty = null;
    if (!paged && app.current?.name === 'tasks') safely(() => refreshList());
  }, 400);
}

let polls = 0;
defineView({
  name: 'tasks',
  title: 'Tasks',
  mount() {
    $('task-priority').append(
      ...Array.from({ length: 10 }, (_, i) => h('option', { value: String(i + 1) }, String(i + 1))),
    );
    $('task-priority').addEventListener('change', (ev) => {
      filter.priority = ev.target.value;
      renderSelectAll();
      safely(() => refreshList());
    });
    $('task-search').addEventListener('submit', (ev) => {
      ev.preventDefault();
      search = readSearch();
      $('task-clear').hidden = Object.keys(search).length === 0;
      renderSelectAll();
      refreshList().catch((e) => {
        $('task-scan').hidden = false;
        $('task-scan').textContent = explain(e);
      });
    });
    $('task-clear').addEventListener('click', () => {
      for (const id of ['task-type', 'task-group', 'task-field', 'task-value']) $(id).value = '';
      search = {};
      $('task-clear').hidden = true;
      renderSelectAll();
      safely(() => refreshList());
    });
    $('task-select-all').addEventListener('click', () => {
      const s = selection();
      if (s.filter) bulkSelect(s.filter);
    });
    loadBulk();
    if (bulk?.filter) restoreFilter(bulk.filter);
    renderBulk();
    renderSelectAll();
    $('task-queue').addEventListener('change', (ev) => app.selectQueue(ev.target.value));
    $('task-more').addEventListener('click', () => safely(() => refreshList(true)));
    $('task-find').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const id = $('task-id').value.trim();
      if (id) openTask(id, undefined, true);
    });
    app.onQueue(() => {
      cursor = null;
      renderSelectAll();
      if (app.current?.name === 'tasks') {
        renderFilters(app.overview);
        safely(() => refreshList());
      }
    });
  },
  show(params) {
    if (params.queue) app.selectQueue(params.queue);
    if (params.state !== undefined && STATES.includes(params.state)) filter.state = params.state;
    renderSelectAll();
    if (params.task && params.task !== selected?.id) openTask(params.task, params.queue || undefined, true);
  },
  refresh(o) {
    renderFilters(o);
    // The list follows events as they come; the poll re-reads it every third time as a safety net.
    if (listed !== app.queue || (!paged && polls++ % 3 === 0)) return refreshList();
  },
  onTransition(ev) {
    if (ev.queue === app.queue) markDirty();
    if (selected && ev.ids.includes(selected.id)) openTask(selected.id, ev.queue);
  },
});
