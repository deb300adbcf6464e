// The frame every view plugs into: the view registry, the hash router, the
// 2 s poll of /api/v1/overview (shared by all views), the live event stream
// (fanned out to every view), the selected queue and the header.
const POLL_MS = 2000;

/**
 * What views share. A view reads `app.overview` (the last /api/v1/overview)
 * and `app.queue` (the selected queue), and calls `app.go`,
 * `app.selectQueue` and `app.refreshSoon`.
 */
const app = {
  views: [],
  current: null,
  overview: null,
  queue: null,
  queueListeners: [],
  /** Shows view `name` with `params` (a plain object), and records both in the address. */
  go(name, params = {}) {
    const q = new URLSearchParams(
      Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''),
    );
    const hash = `#${name}${[...q].length ? `?${q}` : ''}`;
    if (location.hash !== hash) history.pushState(null, '', hash);
    route();
  },
  /** Makes `name` the selected queue; views that follow the queue are told. */
  selectQueue(name) {
    if (!name || app.queue === name) return;
    app.queue = name;
    for (const fn of app.queueListeners) fn(name);
  },
  onQueue(fn) {
    app.queueListeners.push(fn);
  },
  /** Refreshes the overview and the shown view soon (coalesced), e.g. after an action. */
  refreshSoon() {
    if (app.soon) return;
    app.soon = setTimeout(() => {
      app.soon = null;
      tick();
    }, 400);
  },
};

/**
 * Registers a view. `spec`: `name` (the address `#name`), `title` (the
 * tab), and optional hooks: `mount(el)` once with the view's <section>,
 * `show(params)` when it is opened, `refresh(overview)` on every poll while
 * it is shown, `onTransition(ev)` for every live event (shown or not),
 * `badge(overview)` a number for its tab.
 */
function defineView(spec) {
  const el =
    document.querySelector(`section.view[data-view="${spec.name}"]`) ||
    h('section', { class: 'view', 'data-view': spec.name, hidden: true });
  if (!el.isConnected) document.querySelector('main').append(el);
  const tab = h('a', { href: `#${spec.name}`, 'data-view': spec.name }, spec.title);
  app.views.push({ ...spec, el, tab });
}

function viewNamed(name) {
  return app.views.find((v) => v.name === name);
}

/** Reads the address: `#view?params`; an old link `#task=ID&queue=Q` opens the task view. */
function route() {
  const raw = location.hash.slice(1);
  let [name, query] = raw.split('?');
  if (name.startsWith('task=')) {
    query = name;
    name = 'tasks';
  }
  const view = viewNamed(name) || app.views[0];
  const params = Object.fromEntries(new URLSearchParams(query || ''));
  for (const v of app.views) {
    v.el.hidden = v !== view;
    v.tab.classList.toggle('active', v === view);
  }
  const changed = app.current !== view;
  app.current = view;
  view.show?.(params);
  if (changed && app.overview) safely(() => view.refresh?.(app.overview));
}

function safely(fn) {
  try {
    return Promise.resolve(fn()).catch(report);
  } catch (e) {
    report(e);
  }
}

function report(e) {
  if (e.status === 401) setLive('down', 'token needed');
  console.warn(e);
}

function setLive(kind, text) {
  $('live-dot').className = `dot ${kind}`;
  $('live-text').textContent = text;
}

function renderMeta(o) {
  const c = o.coordinator;
  const rec = o.recommendation;
  $('meta').replaceChildren(
    h('span', {}, 'coordinator ', h('b', {}, c.id), ' ', badge(c.role, c.role)),
    h('span', {}, 'leader ', h('b', {}, o.leader || 'none')),
    h('span', {}, 'workers ', h('b', {}, `${o.workers.live} live`), ` of ${o.workers.total}`),
    h(
      'span',
      { title: rec ? rec.reason : 'no recommendation yet (the leader computes it every second)' },
      'recommended ',
      h('b', {}, rec ? String(rec.workers) : '–'),
    ),
  );
  for (const v of app.views) {
    const n = v.badge?.(o);
    v.tab.querySelector('.count')?.remove();
    if (n) v.tab.append(h('span', { class: 'count' }, fmt(n)));
  }
  $('queue-list').replaceChildren(...o.queues.map((q) => h('option', { value: q.name })));
}

/** One poll: the overview, then the shown view. */
async function tick() {
  try {
    const o = await api('/api/v1/overview');
    app.overview = o;
    if (!app.queue || !o.queues.some((q) => q.name === app.queue)) {
      const first = o.queues.find((q) => q.name === 'default') || o.queues[0];
      if (first) app.selectQueue(first.name);
    }
    renderMeta(o);
    await safely(() => app.current?.refresh?.(o));
  } catch (e) {
    report(e);
    if (e.status !== 401) setLive('down', `offline: ${e.message}`);
  }
}

// ---------- live events (SSE read with fetch, so that it can carry the token) ----------
function parseSse(block) {
  let event = 'message';
  let data = '';
  let id = null;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event = val;
    else if (field === 'data') data += (data ? '\n' : '') + val;
    else if (field === 'id') id = val;
  }
  return { event, data, id };
}

async function streamEvents() {
  let lastId = '';
  for (;;) {
    const ctrl = new AbortController();
    app.stream = ctrl;
    try {
      const headers = { accept: 'text/event-stream', ...authHeaders() };
      if (lastId) headers['last-event-id'] = lastId;
      const res = await fetch('/api/v1/events', { headers, signal: ctrl.signal });
      if (!res.ok) {
        let msg = `${res.status}`;
        try {
          msg = (await res.json()).error.message;
        } catch {
          // keep the status
        }
        throw Object.assign(new Error(msg), { status: res.status });
      }
      setLive('live', 'live');
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        for (let cut = buf.indexOf('\n\n'); cut >= 0; cut = buf.indexOf('\n\n')) {
          const msg = parseSse(buf.slice(0, cut));
          buf = buf.slice(cut + 2);
          if (msg.id !== null) lastId = msg.id;
          if (msg.event === 'transition' && msg.data) {
            const ev = JSON.parse(msg.data);
            for (const v of app.views) if (v.onTransition) safely(() => v.onTransition(ev));
          }
        }
      }
      setLive('', 'reconnecting');
    } catch (e) {
      if (ctrl.signal.aborted) {
        setLive('', 'reconnecting');
        continue;
      }
      setLive('down', e.status === 401 ? 'token needed' : `offline: ${e.message}`);
    }
    await sleep(2000);
  }
}
