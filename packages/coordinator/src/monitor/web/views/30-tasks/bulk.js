// Bulk operations on "all matching" the tasks view's filter: count them with
// dry-run steps, confirm with that count, then run the steps of
// POST /api/v1/bulk/:action through its cursor with progress, and show the
// result. The operation's state is kept in session storage after every step,
// so leaving the view changes nothing and a reloaded tab offers to resume
// (every task is checked against the filter again, so nothing is done twice).
const BULK_KEY = 'dtps.bulk';
const BULK = {
  retry: { label: 'Retry', past: 'retried', fits: (st) => TERMINAL.has(st), danger: false },
  cancel: { label: 'Cancel', past: 'cancelled', fits: (st) => !TERMINAL.has(st), danger: true },
  delete: { label: 'Delete', past: 'deleted', fits: () => true, danger: true },
};
/** {phase, action?, filter, counted?, matched, done, scanned, steps, cursor, error?, left?}; null: no panel. */
let bulk = null;
let bulkStop = false;
let bulkBusy = false;

function saveBulk() {
  if (bulk) sessionStorage.setItem(BULK_KEY, JSON.stringify(bulk));
  else sessionStorage.removeItem(BULK_KEY);
}

/** A reloaded tab: an operation that was running is shown as stopped, ready to resume. */
function loadBulk() {
  try {
    const b = JSON.parse(sessionStorage.getItem(BULK_KEY) || 'null');
    if (b?.phase === 'verifying') b.phase = 'done';
    if (b && (b.phase === 'running' || b.phase === 'counting')) {
      b.phase = b.phase === 'running' && b.cursor ? 'stopped' : b.phase === 'running' ? 'done' : 'select';
      if (b.phase === 'stopped') b.error = 'the page was closed or reloaded during the operation';
    }
    bulk = b;
  } catch {
    bulk = null;
  }
}

/** "failed tasks of queue default, type resize, group tenant-a, priority 5" */
function bulkWhat(f) {
  return [
    `${f.state} tasks of queue ${f.queue}`,
    f.type ? `type ${f.type}` : null,
    f.group ? `group ${f.group}` : null,
    f.priority ? `priority ${f.priority}` : null,
  ]
    .filter(Boolean)
    .join(', ');
}

/** One step; a 429 (the monitor's heavy-request gate) is waited out, not an error. */
async function bulkStep(action, filter, dryRun, cursor) {
  for (let tries = 0; ; tries++) {
    try {
      return await api(`/api/v1/bulk/${action}`, {
        method: 'POST',
        body: { ...filter, dryRun, ...(cursor ? { cursor } : {}) },
      });
    } catch (e) {
      if (e.status !== 429 || tries >= 30) throw e;
      await sleep(1000);
    }
  }
}

/** Runs steps until the cursor ends (or Stop), adding up the counts into `bulk` and redrawing. */
async function bulkLoop(dryRun) {
  bulkBusy = true;
  bulkStop = false;
  try {
    do {
      const r = await bulkStep(bulk.action, bulk.filter, dryRun, bulk.cursor);
      bulk.matched += r.matched;
      bulk.done += r.done;
      bulk.scanned += r.scanned;
      bulk.steps += 1;
      bulk.cursor = r.cursor;
      saveBulk();
      renderBulk();
      if (!dryRun) app.refreshSoon(); // the state counts follow the progress
    } while (bulk.cursor && !bulkStop);
    return !bulk.cursor;
  } catch (e) {
    bulk.error = explain(e);
    return false;
  } finally {
    bulkBusy = false;
  }
}

/** How many tasks match the filter now (dry-run steps from the start); null when that failed. */
async function bulkLeft() {
  let [left, cursor] = [0, null];
  try {
    do {
      const r = await bulkStep(bulk.action, bulk.filter, true, cursor);
      left += r.matched;
      cursor = r.cursor;
    } while (cursor);
    return left;
  } catch {
    return null;
  }
}

function fresh(phase) {
  Object.assign(bulk, {
    phase,
    matched: 0,
    done: 0,
    scanned: 0,
    steps: 0,
    cursor: null,
    error: null,
    left: undefined,
  });
}

/** Chosen an action: count what matches (dry run), then ask. */
async function bulkCount(action) {
  bulk.action = action;
  fresh('counting');
  saveBulk();
  renderBulk();
  const complete = await bulkLoop(true);
  if (bulk?.phase !== 'counting') return;
  bulk.phase = complete ? 'confirm' : 'select';
  bulk.counted = bulk.matched;
  if (!complete) toast(bulk.error || 'counting stopped', Boolean(bulk.error));
  saveBulk();
  renderBulk();
}

/** Confirmed (or resumed): run the real steps from `bulk.cursor`. */
async function bulkRun(resume) {
  if (!resume) fresh('running');
  bulk.phase = 'running';
  bulk.error = null;
  saveBulk();
  renderBulk();
  const complete = await bulkLoop(false);
  if (!bulk) return;
  if (complete) {
    // A step resumed beside one still running (a reload), or workers moving tasks, can make
    // the scan skip some: count what still matches, so that the result never claims too much.
    bulk.phase = 'verifying';
    saveBulk();
    renderBulk();
    bulk.left = await bulkLeft();
  }
  bulk.phase = complete ? 'done' : 'stopped';
  if (!complete && !bulk.error) bulk.error = 'stopped by you';
  saveBulk();
  renderBulk();
  app.refreshSoon();
  if (typeof onBulkDone === 'function') onBulkDone();
}

/** Opens the panel for `filter` ({queue, state, type?, group?, priority?}). */
function bulkSelect(filter) {
  if (bulkBusy) return toast('a bulk operation is running: wait for it or stop it', true);
  bulk = { phase: 'select', filter, matched: 0, done: 0, scanned: 0, steps: 0, cursor: null };
  saveBulk();
  renderBulk();
}

function bulkClose() {
  if (bulkBusy) bulkStop = true;
  bulk = null;
  saveBulk();
  renderBulk();
}

const bbtn = (label, attrs, onclick) => h('button', { type: 'button', ...attrs, onclick }, label);

/** Draws the panel for the current phase (hidden without an operation). */
function renderBulk() {
  const el = $('task-bulk');
  el.hidden = !bulk;
  if (!bulk) return el.replaceChildren();
  const b = bulk;
  const spec = b.action ? BULK[b.action] : null;
  const what = bulkWhat(b.filter);
  const moving = b.phase === 'counting' || b.phase === 'running'; // Stop first, then close
  const close = bbtn(
    '×',
    { class: 'close', 'aria-label': 'close', title: 'close', disabled: moving },
    bulkClose,
  );
  const bar = (n, of) =>
    h('div', { class: 'progress' }, h('i', { style: `width:${of ? Math.min(100, (100 * n) / of) : 0}%` }));
  const counts = `${fmt(b.done)} ${spec?.past || 'done'} · ${fmt(b.matched)} matched · ${fmt(b.scanned)} looked at · ${b.steps} ${b.steps === 1 ? 'step' : 'steps'}`;
  let body;
  if (b.phase === 'select') {
    body = [
      h('div', {}, 'All ', h('b', {}, what), ':'),
      h(
        'div',
        { class: 'row' },
        Object.entries(BULK).map(([action, x]) =>
          bbtn(
            `${x.label} all…`,
            {
              'data-bulk': action,
              class: x.danger ? 'danger' : 'primary',
              disabled: !x.fits(b.filter.state),
              title: x.fits(b.filter.state)
                ? 'counts them first, then asks'
                : `not for ${b.filter.state} tasks`,
            },
            () => bulkCount(action),
          ),
        ),
      ),
    ];
  } else if (b.phase === 'counting') {
    body = [
      h('div', {}, `Counting ${what}… ${fmt(b.matched)} so far (${fmt(b.scanned)} looked at)`),
      h(
        'div',
        { class: 'row' },
        bbtn('Stop', { 'data-bulk-stop': '' }, () => {
          bulkStop = true;
        }),
        h('span', { class: 'muted' }, 'after the step under way'),
      ),
    ];
  } else if (b.phase === 'confirm') {
    body = b.counted
      ? [
          h(
            'div',
            { id: 'task-bulk-question' },
            `${spec.label} all ${fmt(b.counted)} ${what}?`,
            b.action === 'delete' ? ' Their records are removed.' : '',
          ),
          h(
            'div',
            { class: 'row' },
            bbtn(
              `${spec.label} ${fmt(b.counted)}`,
              { class: spec.danger ? 'danger' : 'primary', 'data-bulk-confirm': b.action },
              () => bulkRun(false),
            ),
            bbtn('Back', {}, () => bulkSelect(b.filter)),
          ),
        ]
      : [h('div', {}, `No ${what}: nothing to ${b.action}.`)];
  } else if (b.phase === 'running') {
    body = [
      h('div', {}, `${spec.label} ${what}: `, h('span', { id: 'task-bulk-counts' }, counts)),
      bar(b.done, b.counted),
      h(
        'div',
        { class: 'row' },
        bbtn('Stop', { 'data-bulk-stop': '' }, () => {
          bulkStop = true;
        }),
        h('span', { class: 'muted' }, 'after the step under way'),
      ),
    ];
  } else if (b.phase === 'verifying') {
    body = [
      h('div', {}, `${spec.label} ${what}: `, h('span', { id: 'task-bulk-counts' }, counts)),
      h('div', { class: 'muted' }, 'Checking what still matches…'),
    ];
  } else {
    const ended = b.phase === 'done';
    const skipped = b.matched - b.done;
    body = [
      h(
        'div',
        { id: 'task-bulk-result', 'data-phase': b.phase },
        ended ? `Done: ${spec.past} ${fmt(b.done)} ${what}` : `Stopped (${b.error}). So far: `,
        ended
          ? ` (${fmt(b.matched)} matched${skipped ? `, ${fmt(skipped)} refused or changed meanwhile` : ''}).`
          : counts,
        ended && b.left === 0 ? ' None match now.' : '',
      ),
      ended && b.left > 0
        ? h(
            'div',
            { class: 'row' },
            h('span', { id: 'task-bulk-left' }, `${fmt(b.left)} still match (new, or moved while it ran).`),
            bbtn(
              `${spec.label} them`,
              { class: spec.danger ? 'danger' : 'primary', 'data-bulk-again': b.action },
              () => {
                bulk.counted = b.left;
                bulkRun(false);
              },
            ),
          )
        : null,
      ended ? null : bar(b.done, b.counted),
      ended
        ? null
        : h(
            'div',
            { class: 'row' },
            bbtn('Resume', { class: 'primary', 'data-bulk-resume': '' }, () => bulkRun(true)),
            h('span', { class: 'muted' }, 'each task is checked again: nothing is done twice'),
          ),
    ];
  }
  el.replaceChildren(h('div', { class: 'head' }, h('b', {}, 'Bulk'), close), ...body.filter(Boolean));
}
