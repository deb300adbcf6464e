// The tasks view's search row and what "select all matching" selects: the
// search fields as the list query sends them, the filter a bulk operation
// takes (queue, state, type, group, priority), and the list's filter put
// back from a bulk operation saved before a reload. The state (`filter`,
// `search`) lives in view.js.

/** What "select all matching" would act on, or why it cannot. */
function selection() {
  if (!filter.state) return { why: 'choose a state first' };
  if (search.field)
    return {
      why: 'bulk operations filter by queue, state, type, group and priority; clear the payload field',
    };
  const f = { queue: app.queue, state: filter.state };
  if (search.type) f.type = search.type;
  if (search.group) f.group = search.group;
  if (filter.priority) f.priority = Number(filter.priority);
  return { filter: f };
}

function renderSelectAll() {
  const s = selection();
  $('task-select-all').disabled = !s.filter;
  $('task-select-why').textContent = s.why || '';
}

/** A reloaded tab with a bulk operation: the list shows what the operation selected. */
function restoreFilter(f) {
  filter.state = f.state;
  filter.priority = f.priority ? String(f.priority) : '';
  $('task-priority').value = filter.priority;
  search = {};
  if (f.type) search.type = f.type;
  if (f.group) search.group = f.group;
  $('task-type').value = f.type || '';
  $('task-group').value = f.group || '';
  $('task-clear').hidden = Object.keys(search).length === 0;
  app.selectQueue(f.queue);
}

function readSearch() {
  const v = (id) => $(id).value.trim();
  const next = {};
  if (v('task-type')) next.type = v('task-type');
  if (v('task-group')) next.group = v('task-group');
  if (v('task-field') || v('task-value')) {
    next.field = v('task-field');
    next.value = $('task-value').value;
  }
  return next;
}
