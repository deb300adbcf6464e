// Limits: the selected queue's flow control (docs/flow-control.md). Whether it
// is paused, each rate limit and concurrency cap with what it holds now
// (running, held back, tokens left), read on every poll; a form to set or
// clear one limit, and the queue's pause and resume.
let state = null; // the last GET /api/v1/queues/:queue/state

const queueOf = () => $('limits-queue').value.trim() || app.queue || '';
const num = (id) => ($(id).value === '' ? undefined : Number($(id).value));
const scopeKey = (l) => (l.key === null ? l.scope : `${l.scope} ${l.key}`);

function rateText(r) {
  if (!r) return '–';
  return r.perMs % 1000 === 0 ? `${fmt(r.n)} / ${fmt(r.perMs / 1000)} s` : `${fmt(r.n)} / ${fmt(r.perMs)} ms`;
}

/** The body the form describes, for a set (`clear` false) or a clear. */
function bodyFromForm(clear) {
  const body = { scope: $('limits-scope').value };
  const key = $('limits-key').value.trim();
  if (body.scope === 'type' || body.scope === 'group') body.key = key;
  if (clear) return { ...body, clear: true };
  const n = num('limits-n');
  if (n !== undefined) body.rate = { n, perMs: num('limits-per') ?? 1000 };
  const c = num('limits-concurrency');
  if (c !== undefined) body.concurrency = c;
  return body;
}

async function send(clear) {
  const queue = queueOf();
  $('limits-error').textContent = '';
  if (!queue) return;
  try {
    const r = await api(`/api/v1/queues/${enc(queue)}/limits`, { body: bodyFromForm(clear) });
    const which = scopeKey(r.limit);
    toast(clear ? `limit ${which} of ${queue} cleared` : `limit ${which} of ${queue} set`);
    await load();
  } catch (e) {
    // The API message names the field; the form shows it next to its buttons.
    $('limits-error').textContent = explain(e);
  }
}

function clearButton(l) {
  return h(
    'button',
    {
      type: 'button',
      'data-action': 'clear-limit',
      onclick: async () => {
        if (
          !confirm(
            `Clear the ${scopeKey(l)} limit of ${state.queue}? The tasks it holds back go back in the queue.`,
          )
        )
          return;
        await act(
          `/api/v1/queues/${enc(state.queue)}/limits`,
          { scope: l.scope, key: l.key, clear: true },
          `limit ${scopeKey(l)} cleared`,
        );
        await load();
      },
    },
    'clear',
  );
}

function render() {
  if (!state) return;
  $('limits-title').textContent = `${state.queue}: limits, what they hold now`;
  $('limits-paused').replaceChildren(state.paused ? badge('paused', 'paused') : badge('active', 'active'));
  $('limits-pause').textContent = state.paused ? 'resume' : 'pause';
  $('limits-pause').dataset.action = state.paused ? 'resume-queue' : 'pause-queue';
  $('limits-at').textContent = state.paused ? `paused ${when(state.pausedAt)}` : '';
  renderTable(
    $('limits-list'),
    [
      { label: 'limit', cls: 'lead' },
      { label: 'rate', title: 'starts allowed per window (sliding window)' },
      { label: 'concurrency', num: true, title: 'tasks running at once, fleet-wide' },
      { label: 'running', num: true },
      { label: 'held back', num: true, title: 'tasks this limit holds in the queue now' },
      { label: 'tokens left', num: true, title: 'starts the rate still allows in this window' },
      { label: '', cls: 'wide' },
    ],
    state.limits.map((l) => ({
      attrs: { 'data-limit': scopeKey(l) },
      cells: [
        scopeKey(l),
        rateText(l.rate),
        fmt(l.concurrency),
        l.concurrency === null ? '–' : fmt(l.running),
        { cell: fmt(l.heldBack), cls: l.heldBack > 0 ? 'warn' : '' },
        fmt(l.tokensLeft),
        clearButton(l),
      ],
    })),
    `No limit on ${state.queue}: tasks start as fast as workers take them.`,
  );
}

async function load() {
  const queue = queueOf();
  if (!queue) return;
  state = await api(`/api/v1/queues/${enc(queue)}/state`);
  render();
}

defineView({
  name: 'limits',
  title: 'Limits',
  mount() {
    $('limits-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      send(false);
    });
    $('limits-clear').addEventListener('click', () => send(true));
    $('limits-queue').addEventListener('change', () => {
      app.selectQueue($('limits-queue').value.trim());
      load().catch((e) => toast(explain(e), true));
    });
    $('limits-pause').addEventListener('click', async () => {
      if (!state) return;
      const what = state.paused ? 'resume' : 'pause';
      if (
        what === 'pause' &&
        !confirm(`Pause queue ${state.queue}? No task of it starts anywhere until resumed.`)
      )
        return;
      await act(`/api/v1/queues/${enc(state.queue)}/${what}`, undefined, `queue ${state.queue} ${what}d`);
      await load();
      app.refreshSoon();
    });
    app.onQueue((name) => {
      if (document.activeElement !== $('limits-queue')) $('limits-queue').value = name;
    });
  },
  show(params) {
    if (params.queue) app.selectQueue(params.queue);
    if (document.activeElement !== $('limits-queue')) $('limits-queue').value = app.queue || '';
  },
  refresh: () => load(),
  // A task held back changes what the table shows: read it again soon (coalesced), while shown.
  onTransition(ev) {
    if (ev.state === 'held' && state && ev.queue === state.queue && app.current?.name === 'limits')
      app.refreshSoon();
  },
});
