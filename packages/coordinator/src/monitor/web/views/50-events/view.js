// Live events: the transitions of the event stream as they arrive, filtered
// by queue and state, with a pause to read them; task ids open the detail.
const KEEP = 300;
const log = []; // newest first, all events kept while filtered or paused
let paused = false;
let unseen = 0;

/** A held entry's reason is `<rate|concurrency>:<limit instance>`: say it in words. */
function reasonText(ev) {
  if (ev.state !== 'held') return ev.reason;
  const [why, ...rest] = ev.reason.split(':');
  const inst = rest.join(':');
  const which = inst.startsWith('each:') ? `group ${inst.slice(5)} (each-group)` : inst.replace(':', ' ');
  return `${why === 'rate' ? 'rate limit' : 'concurrency cap'} of ${which}: still queued`;
}

function line(ev, fresh) {
  const first = ev.ids[0];
  return h(
    'div',
    { class: fresh ? 'fresh' : null },
    h('span', { class: 'muted' }, new Date(ev.at).toLocaleTimeString()),
    h('b', {}, ev.queue),
    badge(ev.state, ev.state),
    ev.state === 'progress' ? `${ev.progress}%` : null,
    first
      ? h('a', { class: 'id', onclick: () => app.go('tasks', { task: first, queue: ev.queue }) }, first)
      : null,
    ev.ids.length > 1 ? h('span', { class: 'muted' }, `+${ev.ids.length - 1} more`) : null,
    ev.worker ? h('span', { class: 'muted mono' }, `on ${ev.worker}`) : null,
    ev.reason ? h('span', { class: 'muted' }, `(${reasonText(ev)})`) : null,
  );
}

const matches = (ev) =>
  (!$('events-queue').value.trim() || ev.queue === $('events-queue').value.trim()) &&
  (!$('events-state').value || ev.state === $('events-state').value);

function renderAll() {
  const shown = log.filter(matches);
  $('events').replaceChildren(
    ...(shown.length
      ? shown.map((ev) => line(ev, false))
      : [h('div', { class: 'empty' }, 'Waiting for transitions…')]),
  );
  $('events-count').textContent =
    `${shown.length} shown${paused && unseen ? ` · ${unseen} new while paused` : ''}`;
}

defineView({
  name: 'events',
  title: 'Events',
  mount() {
    $('events-state').append(...[...STATES, 'progress', 'held'].map((st) => h('option', { value: st }, st)));
    $('events-queue').addEventListener('input', renderAll);
    $('events-state').addEventListener('change', renderAll);
    $('events-clear').addEventListener('click', () => {
      log.length = 0;
      unseen = 0;
      renderAll();
    });
    $('events-pause').addEventListener('click', (ev) => {
      paused = !paused;
      unseen = 0;
      ev.target.textContent = paused ? 'Resume' : 'Pause';
      ev.target.setAttribute('aria-pressed', String(paused));
      renderAll();
    });
  },
  // Lines that came while the view was hidden are drawn without the flash of new ones.
  show: () => renderAll(),
  onTransition(ev) {
    log.unshift(ev);
    if (log.length > KEEP) log.length = KEEP;
    if (paused) {
      unseen++;
      $('events-count').textContent = `${unseen} new while paused`;
      return;
    }
    if (!matches(ev)) return;
    const box = $('events');
    box.querySelector('.empty')?.remove();
    box.prepend(line(ev, true));
    while (box.children.length > KEEP) box.lastChild.remove();
    $('events-count').textContent = `${box.children.length} shown`;
  },
});
