// Shared helpers of every view: DOM building (text only, never HTML strings),
// formatting, the JSON API with the token, toasts and tables.
const STATES = [
  'pending',
  'scheduled',
  'queued',
  'reserved',
  'running',
  'succeeded',
  'failed',
  'expired',
  'cancelled',
];
const TERMINAL = new Set(['succeeded', 'failed', 'expired', 'cancelled']);
const TOKEN_KEY = 'dtps.token';

const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;

/** Builds an element; strings become text nodes (never HTML). `on*` attributes are listeners. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Number.POSITIVE_INFINITY)) {
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}
const SVG = 'http://www.w3.org/2000/svg';
/** Builds an SVG element. */
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

const fmt = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en'));
const badge = (text, cls) => h('span', { class: `badge s-${cls || text}` }, text);
function ago(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
const when = (t) => (t ? `${new Date(t).toLocaleString()} (${ago(Date.now() - t)} ago)` : '–');
function bytes(n) {
  if (!n) return '0 B';
  if (n < 1024) return `${n} B`;
  return n < 1048576 ? `${Math.round(n / 102.4) / 10} KB` : `${Math.round(n / 104857.6) / 10} MB`;
}
const fmtMs = (ms) =>
  ms === null || ms === undefined
    ? '–'
    : ms >= 1000
      ? `${Math.round(ms / 100) / 10} s`
      : `${Math.round(ms)} ms`;
/**
 * Text with its control characters (a handler's terminal escapes, NULs,
 * tabs…) shown as visible `\uXXXX` marks, as the CLI and the console show
 * them; newlines stay. Returns nodes for h(): text, never HTML.
 */
function printable(text) {
  const out = [];
  let run = '';
  for (const ch of String(text)) {
    const c = ch.charCodeAt(0);
    if ((c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f)) {
      if (run) out.push(run);
      run = '';
      out.push(
        h('span', { class: 'esc', title: 'a control character' }, `\\u${c.toString(16).padStart(4, '0')}`),
      );
    } else run += ch;
  }
  if (run) out.push(run);
  return out;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function toast(message, err) {
  const el = h('div', { class: `toast${err ? ' err' : ''}`, role: err ? 'alert' : 'status' }, message);
  $('toasts').append(el);
  setTimeout(() => el.remove(), err ? 6000 : 2500);
}

// ---------- the JSON API ----------
const token = () => sessionStorage.getItem(TOKEN_KEY) || '';
function authHeaders() {
  const t = token();
  return t ? { authorization: `Bearer ${t}` } : {};
}
/** Calls the monitor; a non-2xx answer throws an Error with `status` and `field` from its JSON error. */
async function api(path, opts = {}) {
  const headers = { ...authHeaders() };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: opts.method || (opts.body === undefined ? 'GET' : 'POST'),
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: the status says enough
  }
  if (!res.ok) {
    const e = new Error(json?.error?.message || `${res.status} ${res.statusText}`);
    e.status = res.status;
    e.field = json?.error?.field;
    throw e;
  }
  return json;
}
/** An error as an operator should read it. */
function explain(err) {
  if (err.status === 401) return `${err.message} — enter the API token at the top right`;
  if (err.status === 429)
    return `${err.message} (the monitor is busy; the page tries again on its next refresh)`;
  return err.message;
}
/** A POST that says what it did in a toast; resolves to the answer, or null after showing the error. */
async function act(path, body, done) {
  try {
    const r = await api(path, { method: 'POST', body });
    if (done) toast(typeof done === 'function' ? done(r) : done);
    return r;
  } catch (e) {
    toast(explain(e), true);
    return null;
  }
}

// ---------- tables ----------
/**
 * Fills `table` from column specs `{label, num?, title?, cls?}` and rows
 * `{attrs?, cells}`; a cell is content or `{cell, cls?, title?}`. Each cell
 * carries its column's label, so at phone width (table.cards) a row becomes
 * a small card of labelled values.
 */
function renderTable(table, cols, rows, emptyText) {
  const head = h(
    'tr',
    {},
    cols.map((c) => h('th', { class: c.num ? 'num' : null, title: c.title }, c.label)),
  );
  const body = rows.length
    ? rows.map((r) =>
        h(
          'tr',
          r.attrs || {},
          r.cells.map((raw, i) => {
            const cell =
              raw !== null && typeof raw === 'object' && !(raw instanceof Node) && 'cell' in raw
                ? raw
                : { cell: raw };
            const cls = [cols[i].num ? 'num' : '', cols[i].cls || '', cell.cls || ''].join(' ').trim();
            return h('td', { class: cls || null, title: cell.title, 'data-label': cols[i].label }, cell.cell);
          }),
        ),
      )
    : [h('tr', {}, h('td', { colspan: cols.length, class: 'empty' }, emptyText))];
  table.classList.add('cards');
  table.replaceChildren(h('thead', {}, head), h('tbody', {}, body));
}
