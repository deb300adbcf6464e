// Submit: a task spec from a form, sent to POST /api/v1/tasks; the tasks sent
// from this page are listed with their state, kept current by the live events.
const sent = []; // [{id, queue, type, state, at}], newest first
// The last state of recently moved tasks: a quick task may finish before its submit is answered.
const seen = new Map();

const num = (id) => ($(id).value === '' ? undefined : Number($(id).value));

/** The spec the form describes, or throws an Error naming the field. */
function specFromForm() {
  let payload;
  try {
    payload = JSON.parse($('f-payload').value || 'null');
  } catch (e) {
    throw new Error(`payload: not JSON (${e.message})`);
  }
  const spec = { type: $('f-type').value.trim(), payload, priority: num('f-priority') ?? 1 };
  const extra = {
    queue: $('f-queue').value.trim() || undefined,
    maxRetries: num('f-retries'),
    timeoutMs: num('f-timeout'),
    delayMs: num('f-delay'),
    group: $('f-group').value.trim() || undefined,
    idempotencyKey: $('f-idem').value.trim() || undefined,
    dedupTtlMs: num('f-dedup-ttl'),
    debounce: $('f-debounce').value || undefined,
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) spec[k] = v;
  return spec;
}

function renderSent() {
  renderTable(
    $('submitted'),
    [
      { label: 'id', cls: 'lead mono' },
      { label: 'type' },
      { label: 'queue' },
      { label: 'state' },
      { label: 'submitted', cls: 'muted' },
    ],
    sent.map((t) => ({
      attrs: {
        class: 'clickable',
        'data-id': t.id,
        onclick: () => app.go('tasks', { task: t.id, queue: t.queue }),
      },
      cells: [t.id, t.type, t.queue, badge(t.state), new Date(t.at).toLocaleTimeString()],
    })),
    'Nothing yet: tasks you submit here are followed live.',
  );
}

defineView({
  name: 'submit',
  title: 'Submit',
  mount() {
    renderSent();
    $('submit-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      $('f-error').textContent = '';
      let spec;
      try {
        spec = specFromForm();
      } catch (e) {
        $('f-error').textContent = e.message;
        return;
      }
      try {
        const r = await api('/api/v1/tasks', { method: 'POST', body: spec });
        toast(
          `submitted ${r.id} (${r.state})${
            r.replaced
              ? ': the earlier task with this key took this payload'
              : r.duplicate
                ? ': an earlier task has this idempotency key'
                : ''
          }`,
        );
        const late = seen.get(`${r.queue} ${r.id}`);
        sent.unshift({ id: r.id, queue: r.queue, type: spec.type, state: late || r.state, at: Date.now() });
        sent.length = Math.min(sent.length, 50);
        renderSent();
        app.refreshSoon();
      } catch (e) {
        const said = explain(e);
        $('f-error').textContent = e.field && !said.startsWith(`${e.field}:`) ? `${e.field}: ${said}` : said;
      }
    });
  },
  onTransition(ev) {
    // Progress and held entries are not state changes (a held task is still queued).
    if (!STATES.includes(ev.state)) return;
    for (const id of ev.ids) seen.set(`${ev.queue} ${id}`, ev.state);
    while (seen.size > 500) seen.delete(seen.keys().next().value);
    let changed = false;
    for (const t of sent) {
      if (t.queue === ev.queue && ev.ids.includes(t.id) && t.state !== ev.state) {
        t.state = ev.state;
        changed = true;
      }
    }
    if (changed) renderSent();
  },
});
