/**
 * Draws blessed-contrib line charts offscreen and hands back ANSI text that an
 * Ink <Text> shows: one blessed screen whose output is a dummy
 * TTY-like stream and whose input never speaks, reused for every frame. The
 * charts of a frame are stacked on it, rendered once, and cut out with
 * `screenshot`.
 */
import { createRequire } from 'node:module';
import { PassThrough, Writable } from 'node:stream';
import type { ChartSpec } from './specs.js';

const require = createRequire(import.meta.url);

/** The few parts of blessed and blessed-contrib used here (neither ships types). */
interface BlessedNode {
  destroy(): void;
  detach(): void;
}
/** The drawille canvas context a line widget draws on (made when the widget is attached). */
interface LineContext {
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
}
interface LineWidget extends BlessedNode {
  options: { maxY?: number };
  ctx: LineContext;
  setData(series: { title: string; x: string[]; y: number[]; style: { line: string } }[]): void;
}
interface BlessedScreen {
  append(node: BlessedNode): void;
  render(): void;
  screenshot(xi: number, xl: number, yi: number, yl: number): string;
  destroy(): void;
}

/**
 * A blessed-contrib line chart's canvas is `width*2-12` dots wide: its last
 * six columns stay empty. The widget is made that much wider than the chart
 * and the blank columns are left off the screenshot.
 */
const CANVAS_MARGIN = 6;

/**
 * Its x labels sit three lines above the widget's bottom, and the lines under
 * them stay empty: the widget is made that much taller and those lines are
 * left off too.
 */
const BOTTOM_MARGIN = 3;

/** A dummy terminal: blessed draws into it, nobody reads it. */
class NullTerminal extends Writable {
  isTTY = true;
  columns = 80;
  rows = 24;
  override _write(_chunk: unknown, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    done();
  }
}

export class ChartRenderer {
  readonly #output = new NullTerminal();
  readonly #input = new PassThrough();
  #screen: BlessedScreen | undefined;
  #widgets: { key: string; widget: LineWidget }[] = [];

  /** ANSI text of each chart, `spec.height` lines of `spec.width` columns. */
  render(specs: readonly ChartSpec[]): string[] {
    if (specs.length === 0) return [];
    const screen = this.#ensureScreen(specs);
    this.#layout(screen, specs);
    specs.forEach((spec, i) => {
      const widget = this.#widgets[i]!.widget;
      const max = Math.max(0, ...spec.series.flatMap((s) => s.values.filter((v) => v !== null)));
      // blessed-contrib divides by the largest value: give an idle chart a scale.
      widget.options.maxY = max > 0 ? undefined : 1;
      widget.setData(
        spec.series.map((s) => ({
          title: s.title,
          x: [...spec.labels],
          // NaN: no point (see breakOnNaN).
          y: s.values.map((v) => v ?? Number.NaN),
          style: { line: s.color },
        })),
      );
    });
    screen.render();
    let top = 0;
    return specs.map((spec) => {
      // blessed starts every cut below the first line with a line break, and ends every cut with one.
      const shot = screen
        .screenshot(0, spec.width, top, top + spec.height)
        .replace(/^\n/, '')
        .replace(/\n$/, '');
      top += spec.height + BOTTOM_MARGIN;
      const lines = shot.split('\n');
      while (lines.length < spec.height) lines.push('');
      return lines.slice(0, spec.height).join('\n');
    });
  }

  /** Frees the offscreen screen. */
  destroy(): void {
    this.#screen?.destroy();
    this.#screen = undefined;
    this.#widgets = [];
  }

  #ensureScreen(specs: readonly ChartSpec[]): BlessedScreen {
    const columns = Math.max(...specs.map((s) => s.width)) + CANVAS_MARGIN;
    const rows = specs.reduce((n, s) => n + s.height + BOTTOM_MARGIN, 0);
    if (!this.#screen) {
      Object.assign(this.#output, { columns, rows });
      const blessed = require('blessed') as { screen(opts: object): BlessedScreen };
      this.#screen = blessed.screen({
        output: this.#output,
        input: this.#input,
        terminal: 'xterm-256color',
        // Braille dots are one column wide: no wide-character bookkeeping.
        fullUnicode: false,
        warnings: false,
        // No cursor games, no title, no alternate buffer: nobody looks at this screen.
        smartCSR: false,
        useBCE: false,
      });
    } else if (this.#output.columns !== columns || this.#output.rows !== rows) {
      Object.assign(this.#output, { columns, rows });
      // blessed's program follows its output's size on 'resize', at once (no resizeTimeout).
      this.#output.emit('resize');
    }
    return this.#screen;
  }

  /** One widget per chart, made again only when a chart's place or size changed (its canvas is sized at attach). */
  #layout(screen: BlessedScreen, specs: readonly ChartSpec[]): void {
    let top = 0;
    const keys = specs.map((s) => {
      const key = `${top}:${s.width}x${s.height}:${s.wholeNumbers}`;
      top += s.height + BOTTOM_MARGIN;
      return key;
    });
    if (keys.join() === this.#widgets.map((w) => w.key).join()) return;
    for (const w of this.#widgets) {
      w.widget.detach();
      w.widget.destroy();
    }
    const contrib = require('blessed-contrib') as { line(opts: object): LineWidget };
    top = 0;
    this.#widgets = specs.map((spec, i) => {
      const widget = contrib.line({
        // Named, not implied: several renderers (several screens) may live in one process.
        screen,
        top,
        left: 0,
        width: spec.width + CANVAS_MARGIN,
        height: spec.height + BOTTOM_MARGIN,
        showLegend: false,
        wholeNumbersOnly: spec.wholeNumbers,
        numYLabels: Math.max(2, Math.min(5, Math.floor(spec.height / 2))),
        xLabelPadding: 3,
        xPadding: 3,
        style: { line: 'green', text: 'white', baseline: 'white' },
      });
      top += spec.height + BOTTOM_MARGIN;
      screen.append(widget);
      breakOnNaN(widget.ctx);
      return { key: keys[i]!, widget };
    });
  }
}

/**
 * blessed-contrib draws a line through every value; it has no "no data". A
 * value of NaN (its y pixel is NaN) becomes a gap here: no point, and the
 * next known value starts a new stroke (from a dot of its own) instead of
 * joining the last one.
 */
function breakOnNaN(ctx: LineContext): void {
  const { beginPath, moveTo, lineTo } = ctx;
  let gap = false;
  ctx.beginPath = function (this: LineContext) {
    gap = false;
    beginPath.call(this);
  };
  ctx.lineTo = function (this: LineContext, x: number, y: number) {
    if (Number.isNaN(y)) {
      gap = true;
      return;
    }
    if (gap) {
      gap = false;
      // A dot where the line starts, so that a lone known second still shows.
      moveTo.call(this, x, y);
    }
    lineTo.call(this, x, y);
  };
}
