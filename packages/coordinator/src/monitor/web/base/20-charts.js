// Line charts as inline SVG (no library): used by any view that plots a series.
const COLORS = {
  submitted: '#3b6fd8',
  succeeded: '#1f9d55',
  failed: '#d0353f',
  queued: '#3b6fd8',
  running: '#c98a04',
  reserved: '#7b4bd1',
  p50: '#1f9d55',
  p99: '#d0353f',
};

/**
 * Y axis ticks: a step of 1, 2, 2.5 or 5 × 10^k giving at most 5 steps up to
 * the largest value, never finer than `minStep` and always a multiple of it
 * (so counts and milliseconds get whole-number ticks, rates tenths), hence
 * distinct labels even on an idle chart (0 and one step).
 */
function niceScale(v, minStep = 0) {
  const want = Math.max(v, 0, minStep) || 1;
  const raw = want / 5;
  const multipleOfMin = (x) => !minStep || Math.abs(x / minStep - Math.round(x / minStep)) < 1e-9;
  let step = 0;
  for (let p = 10 ** Math.floor(Math.log10(raw)); !step; p *= 10) {
    step =
      [1, 2, 2.5, 5].map((m) => m * p).find((x) => x >= raw - 1e-12 && x >= minStep && multipleOfMin(x)) || 0;
  }
  const steps = Math.max(1, Math.ceil(want / step - 1e-9));
  return { top: steps * step, steps };
}

/** A line chart: series [{name, color, points: [[t, v|null]]}] over [from, to]; the legend shows each last value. */
function lineChart(el, legendEl, series, opts) {
  const W = Math.max(260, el.clientWidth || 320);
  const H = 170,
    L = 44,
    R = 10,
    T = 8,
    B = 20;
  const { from, to, unit, minStep } = opts;
  let max = 0;
  for (const sr of series)
    for (const [, v] of sr.points) if (v !== null && Number.isFinite(v)) max = Math.max(max, v);
  const { top, steps } = niceScale(max, minStep);
  const x = (t) => L + ((t - from) / (to - from)) * (W - L - R);
  const y = (v) => T + (1 - v / top) * (H - T - B);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', height: H, role: 'img' });
  for (let i = 0; i <= steps; i++) {
    const v = (top / steps) * i;
    svg.append(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(s('text', { x: L - 6, y: y(v) + 3, 'text-anchor': 'end' }, unit(v)));
  }
  const span = (to - from) / 1000;
  for (const f of [0, 0.5, 1]) {
    const label = f === 1 ? 'now' : `-${Math.round(span * (1 - f))}s`;
    const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
    svg.append(s('text', { x: L + f * (W - L - R), y: H - 5, 'text-anchor': anchor }, label));
  }
  for (const sr of series) {
    // Runs of consecutive points; a run of one point (a lone latency sample) is drawn as a dot.
    const runs = [[]];
    for (const [t, v] of sr.points) {
      if (t < from || v === null || !Number.isFinite(v)) runs.push([]);
      else runs[runs.length - 1].push([x(t), y(v)]);
    }
    for (const run of runs) {
      if (run.length === 1) svg.append(s('circle', { cx: run[0][0], cy: run[0][1], r: 2.5, fill: sr.color }));
      if (run.length < 2) continue;
      const d = run.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`).join('');
      svg.append(
        s('path', { d, fill: 'none', stroke: sr.color, 'stroke-width': 1.8, 'stroke-linejoin': 'round' }),
      );
    }
  }
  el.replaceChildren(svg);
  legendEl.replaceChildren(
    ...series.map((sr) => {
      const last = [...sr.points].reverse().find(([, v]) => v !== null && Number.isFinite(v));
      return h(
        'span',
        {},
        h('i', { style: `background:${sr.color}` }),
        `${sr.name} ${last ? unit(last[1]) : '–'}`,
      );
    }),
  );
}
