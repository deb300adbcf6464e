/** Order statistics of a sample (nearest rank), rounded to µs. */
export interface Distribution {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export function distribution(sample: readonly number[]): Distribution {
  const s = [...sample].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    count: s.length,
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
    p50: r(at(0.5)),
    p90: r(at(0.9)),
    p99: r(at(0.99)),
    p999: r(at(0.999)),
    max: r(s.at(-1) ?? Number.NaN),
  };
}
