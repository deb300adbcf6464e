/**
 * A small writer of the Prometheus text exposition format (version 0.0.4):
 * HELP and TYPE once per family, then its samples, with escaping done here
 * and nowhere else.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type Labels = Readonly<Record<string, string>>;

/** The Content-Type of the format. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** HELP text: backslash and newline escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A label value: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value: integers as such, ±Inf and NaN spelled as Prometheus does. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Collects metric families, then renders them in the order they were declared. */
export class Exposition {
  readonly #lines: string[] = [];
  readonly #declared = new Set<string>();

  /** Declares a family (HELP and TYPE lines). Each name once. */
  family(name: string, type: MetricType, help: string): this {
    if (this.#declared.has(name)) throw new Error(`metric family ${name} declared twice`);
    this.#declared.add(name);
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    return this;
  }

  /** One sample line of the family declared last (for histograms, with its suffix: `_bucket`, `_count`). */
  sample(name: string, labels: Labels, value: number): this {
    this.#lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }

  /**
   * A histogram's samples from per-bucket counts (not cumulative): the
   * cumulative `_bucket` lines with `le` (the last count is +Inf), `_count`,
   * and `_sum` when the sum is known.
   */
  histogram(
    name: string,
    labels: Labels,
    bounds: readonly number[],
    counts: readonly number[],
    sum?: number,
  ): this {
    let seen = 0;
    bounds.forEach((le, i) => {
      seen += counts[i] ?? 0;
      this.sample(`${name}_bucket`, { ...labels, le: formatValue(le) }, seen);
    });
    seen += counts[bounds.length] ?? 0;
    this.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, seen);
    if (sum !== undefined) this.sample(`${name}_sum`, labels, sum);
    return this.sample(`${name}_count`, labels, seen);
  }

  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}
