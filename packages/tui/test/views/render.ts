/**
 * Renders a view with ink-testing-library and hands back its last frame as
 * plain text (colours stripped) and lines.
 */
import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { plain } from '../fixtures.js';

export function frameOf(tree: ReactElement): { text: string; lines: string[] } {
  const r = render(tree);
  const text = plain(r.lastFrame());
  r.unmount();
  r.cleanup();
  return { text, lines: text.split('\n') };
}

/** The widest line, in characters (the views draw only single-width characters). */
export function widest(lines: readonly string[]): number {
  return Math.max(...lines.map((l) => [...l].length));
}
