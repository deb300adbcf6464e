// Schedules: every schedule with its timing, next run, last run and how that
// run ended (kept current by the 2 s poll and the live event stream); pause,
// resume, run now, delete; a form that adds a schedule or edits one (PUT
// /api/v1/schedules/:id) and shows the server's refusal next to the field.
let list = []; // the last GET /api/v1/schedules, sorted by id
let skew = 0; // this browser's clock minus the server's, so that "in 3 s" reads right
let editing = null; // the schedule the form edits, or null when it adds one
// The last state of recently moved tasks: a run may finish between two polls.
const moved = new Map();

/** Which input shows a field the server names (`everyMs`, `template.priority`, …). */
const INPUT_OF_FIELD = {
  id: 'schedules-f-id',
  cron: 'schedules-f-cron',
  tz: 'schedules-f-tz',
  everyMs: 'schedules-f-every',
  type: 'schedules-f-type',
  template: 'schedules-f-type',
  queue: 'schedules-f-queue',
  priority: 'schedules-f-priority',
  payload: 'schedules-f-payload',
  missed: 'schedules-f-missed',
  overlap: 'schedules-f-overlap',
};
/** The template fields the form edits; the others (retries, timeout, …) are kept as they were. */
const FORM_TEMPLATE_FIELDS = ['type', 'queue', 'priority', 'payload'];

/** "in 2.5 s" or "3.1 s ago" from a server time. */
function relative(t) {
  if (t === null || t === undefined) return '';
  const d = t - (Date.now() - skew);
  return d >= 0 ? `in ${ago(d)}` : `${ago(-d)} ago`;
}

/** A time as a cell: the clock time (the date too when not today) and how far away it is. */
function timeCell(t, empty) {
  if (t === null || t === undefined) return { cell: empty, cls: 'muted' };
  const d = new Date(t);
  const clock =
    d.toDateString() === new Date().toDateString()
      ? d.toLocaleTimeString()
      : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return {
    cell: h('span', {}, clock, ' ', h('span', { class: 'rel' }, relative(t))),
    title: d.toISOString(),
  };
}

function every(ms) {
  if (ms % 3_600_000 === 0) return `every ${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `every ${ms / 60_000} min`;
  return ms % 1000 === 0 ? `every ${ms / 1000} s` : `every ${fmt(ms)} ms`;
}

/** The last run: how its due time ended, then its task's state now (a link to the task). */
function outcomeCell(s) {
  if (!s.lastOutcome) return { cell: 'no run yet', cls: 'muted' };
  const parts = [badge(s.lastOutcome)];
  const task = s.lastTask;
  if (task) {
    // The stream may be ahead of the last poll; a poll that already saw the end wins.
    const live = moved.get(`${task.queue} ${task.id}`);
    const state = TERMINAL.has(task.state) ? task.state : live || task.state;
    parts.push(
      h(
        'a',
        {
          class: 'id',
          'data-task': task.id,
          title: `task ${task.id} in ${task.queue}`,
          onclick: (ev) => {
            ev.stopPropagation();
            app.go('tasks', { task: task.id, queue: task.queue });
          },
        },
        state ? badge(state) : badge('gone', 'gone'),
      ),
    );
  }
  return h('span', { class: 'outcome', 'data-outcome': s.lastOutcome }, parts);
}

function button(action, label, title, onclick, cls) {
  return h('button', { type: 'button', class: cls, 'data-action': action, title, onclick }, label);
}

async function change(s, what) {
  const done = { pause: 'paused', resume: 'resumed', 'run-now': 'submitted a run' };
  const r = await act(`/api/v1/schedules/${enc(s.id)}/${what}`, undefined, (x) =>
    what === 'run-now'
      ? `${s.id}: submitted ${x.id}${x.duplicate ? ' (already there)' : ''}`
      : `${s.id} ${done[what]}`,
  );
  if (r) refreshSchedules();
}

async function remove(s) {
  if (!confirm(`Delete schedule ${s.id}? It stops firing; the runs it made stay.`)) return;
  try {
    await api(`/api/v1/schedules/${enc(s.id)}`, { method: 'DELETE' });
    toast(`${s.id} deleted`);
    if (editing?.id === s.id) clearForm();
  } catch (e) {
    toast(explain(e), true);
  }
  refreshSchedules();
}

function actions(s) {
  return h(
    'span',
    { class: 'btns' },
    s.paused
      ? button('resume', 'resume', 'fire again from the next due time after now', () => change(s, 'resume'))
      : button('pause', 'pause', 'no run fires until resumed', () => change(s, 'pause')),
    button('run-now', 'run now', 'submit one run now, outside the due times', () => change(s, 'run-now')),
    button('edit', 'edit', 'load it into the form below', () => editSchedule(s)),
    button('delete', 'delete', 'delete the schedule (its runs stay)', () => remove(s), 'danger'),
  );
}

function renderList() {
  renderTable(
    $('schedules-list'),
    [
      { label: 'id', cls: 'lead' },
      { label: 'timing' },
      { label: 'time zone' },
      { label: 'next run' },
      { label: 'last run' },
      {
        label: 'last outcome',
        cls: 'schedules-outcome',
        title: 'how the last due time ended → its task’s state now',
      },
      { label: 'fired', num: true, title: 'runs submitted so far' },
      { label: 'status' },
      { label: '', cls: 'wide' },
    ],
    list.map((s) => ({
      attrs: { 'data-schedule': s.id, class: editing?.id === s.id ? 'selected' : null },
      cells: [
        h('b', {}, s.id),
        s.cron !== undefined
          ? { cell: s.cron, cls: 'mono' }
          : { cell: every(s.everyMs), title: `${s.everyMs} ms` },
        // An interval has no zone: its cell drops out of a phone's card (zero).
        s.cron !== undefined ? s.tz || 'UTC' : { cell: '–', cls: 'muted zero' },
        s.paused ? { cell: 'paused', cls: 'muted' } : timeCell(s.next, '–'),
        timeCell(s.last, 'never'),
        outcomeCell(s),
        { cell: fmt(s.fired), cls: 'fired' },
        s.paused ? badge('paused', 'paused') : badge('active', 'active'),
        actions(s),
      ],
    })),
    'No schedule yet: add one below, or with dtps schedule add.',
  );
}

async function refreshSchedules() {
  const r = await api('/api/v1/schedules');
  skew = Date.now() - r.at;
  list = r.schedules.sort((a, b) => (a.id < b.id ? -1 : 1));
  renderList();
}

// ---------- the form ----------
const val = (id) => $(id).value.trim();

function showKind() {
  const kind = $('schedules-f-kind').value;
  for (const el of document.querySelectorAll('#schedules-form [data-kind]'))
    el.hidden = el.dataset.kind !== kind;
  $('schedules-catchup-label').hidden = $('schedules-f-missed').value !== 'catch-up';
}

function clearErrors() {
  $('schedules-f-error').textContent = '';
  for (const el of document.querySelectorAll('#schedules-form [aria-invalid]'))
    el.removeAttribute('aria-invalid');
}

/** Shows `message` and marks the input of `field` (the last part of a dotted name). */
function showError(field, message) {
  $('schedules-f-error').textContent = message;
  const id = field && INPUT_OF_FIELD[field.split('.').pop()];
  if (id) {
    $(id).setAttribute('aria-invalid', 'true');
    $(id).focus();
  }
}

/** The PUT body the form describes; throws `{field, message}` for what only the page can see. */
function bodyFromForm() {
  let payload;
  try {
    payload = JSON.parse($('schedules-f-payload').value || 'null');
  } catch (e) {
    throw { field: 'payload', message: `payload: not JSON (${e.message})` };
  }
  // Fields the form does not show (retries, timeout, deadline offset, group) keep their values on an edit.
  const template = Object.fromEntries(
    Object.entries(editing?.template || {}).filter(([k]) => !FORM_TEMPLATE_FIELDS.includes(k)),
  );
  template.type = val('schedules-f-type');
  if (payload !== null) template.payload = payload;
  if (val('schedules-f-queue')) template.queue = val('schedules-f-queue');
  if (val('schedules-f-priority')) template.priority = Number(val('schedules-f-priority'));
  const missed = $('schedules-f-missed').value;
  const body = {
    template,
    missed: missed === 'catch-up' ? `catch-up:${val('schedules-f-catchup')}` : missed,
    overlap: $('schedules-f-overlap').value,
  };
  if (editing?.jitterMs) body.jitterMs = editing.jitterMs;
  if ($('schedules-f-kind').value === 'cron') {
    body.cron = $('schedules-f-cron').value;
    if (val('schedules-f-tz')) body.tz = val('schedules-f-tz');
  } else {
    // A number input holds '' for anything that is not a number.
    if (!val('schedules-f-every'))
      throw { field: 'everyMs', message: 'everyMs: give the interval in ms (at least 1000)' };
    body.everyMs = Number(val('schedules-f-every'));
  }
  return body;
}

async function save(ev) {
  ev.preventDefault();
  clearErrors();
  const id = val('schedules-f-id');
  let body;
  try {
    if (!id) throw { field: 'id', message: 'id: name the schedule (letters, digits, . _ : -)' };
    body = bodyFromForm();
  } catch (e) {
    showError(e.field, e.message);
    return;
  }
  try {
    const r = await api(`/api/v1/schedules/${enc(id)}`, { method: 'PUT', body });
    toast(`${id} ${r.outcome}`);
    clearForm();
  } catch (e) {
    showError(e.field, e.field ? explain(e) : `${e.status === 404 ? 'id: ' : ''}${explain(e)}`);
  }
  refreshSchedules();
}

function clearForm() {
  editing = null;
  $('schedules-form').reset();
  $('schedules-f-id').readOnly = false;
  $('schedules-form-title').textContent = 'Add a schedule';
  $('schedules-f-save').textContent = 'Add';
  clearErrors();
  showKind();
  renderList();
}

/** Loads schedule `s` into the form; its id stays (the PUT updates it). */
function editSchedule(s) {
  clearForm();
  editing = s;
  const t = s.template;
  $('schedules-f-id').value = s.id;
  $('schedules-f-id').readOnly = true;
  $('schedules-f-kind').value = s.cron !== undefined ? 'cron' : 'every';
  $('schedules-f-cron').value = s.cron ?? '';
  $('schedules-f-tz').value = s.tz ?? '';
  $('schedules-f-every').value = s.everyMs ?? '';
  $('schedules-f-type').value = t.type;
  $('schedules-f-queue').value = t.queue ?? '';
  $('schedules-f-priority').value = t.priority ?? '';
  $('schedules-f-payload').value = JSON.stringify(t.payload ?? null, null, 2);
  const catchUp = /^catch-up:(\d+)$/.exec(s.missed);
  $('schedules-f-missed').value = catchUp ? 'catch-up' : s.missed;
  if (catchUp) $('schedules-f-catchup').value = catchUp[1];
  $('schedules-f-overlap').value = s.overlap;
  $('schedules-form-title').textContent = `Edit ${s.id}`;
  $('schedules-f-save').textContent = 'Save';
  showKind();
  renderList();
  $('schedules-form').scrollIntoView({ block: 'nearest' });
}

defineView({
  name: 'schedules',
  title: 'Schedules',
  mount() {
    $('schedules-form').addEventListener('submit', save);
    $('schedules-f-new').addEventListener('click', clearForm);
    $('schedules-f-kind').addEventListener('change', showKind);
    $('schedules-f-missed').addEventListener('change', showKind);
    $('schedules-form').addEventListener('input', (ev) => ev.target.removeAttribute?.('aria-invalid'));
    renderList();
  },
  refresh: refreshSchedules,
  onTransition(ev) {
    if (ev.state === 'progress') return;
    for (const id of ev.ids) moved.set(`${ev.queue} ${id}`, ev.state);
    while (moved.size > 500) moved.delete(moved.keys().next().value);
    // A shown schedule's last run moved: show its new state now, not at the next poll.
    if (
      app.current?.name === 'schedules' &&
      list.some((s) => s.lastTask?.queue === ev.queue && ev.ids.includes(s.lastTask.id))
    )
      renderList();
  },
});
