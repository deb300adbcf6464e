/**
 * The one keymap: a key press, in the current mode, becomes actions. Pure, so
 * key handling is tested as state transitions, without a terminal; the
 * `use-keymap` hook only feeds it Ink's key presses and dispatches.
 */
import type { Action } from './actions.js';
import type { DashboardState } from './types.js';

/** The parts of Ink's `Key` the keymap reads. */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  shift?: boolean;
  meta?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for.
const CONTROL = /[\u0001-\u001a\u007f]/;

/**
 * Ink hands over plain text as one input however it arrived, so a fast typist
 * (or tmux send-keys, or a paste) can put Tab, Enter or Backspace inside a
 * run of text (Ctrl keys too), or Esc before a key. Each becomes a key press
 * of its own, in order.
 */
export function splitInput(input: string, key: KeyPress, raw?: string): [string, KeyPress][] {
  // Esc and the next key in one read arrive as Alt+key; the console binds no
  // Alt keys, so that is Esc, then the key.
  if (key.meta && !key.escape) return [['', { escape: true }], ...splitInput(input, { ...key, meta: false })];
  // Esc and a key that is not a letter or digit (`/`, Tab, `?`) in one read:
  // Ink parses no key and strips the Esc, leaving the rest as text. The raw
  // read tells it apart from the key alone. `[` and `O` start terminal escape
  // sequences (arrows, paste markers), which are not an Esc press.
  if (
    raw !== undefined &&
    raw.length > 1 &&
    raw[0] === '\u001b' &&
    input === raw.slice(1) &&
    !/^[[O]/.test(input)
  )
    return [
      ['', { escape: true }],
      ...(CONTROL.test(input) ? splitRun(input) : [[input, key] as [string, KeyPress]]),
    ];
  if (input.length <= 1 || !CONTROL.test(input)) return [[input, key]];
  return splitRun(input);
}

/** A run of text with control characters in it: each control character a key of its own. */
function splitRun(input: string): [string, KeyPress][] {
  const out: [string, KeyPress][] = [];
  let text = '';
  const flush = () => {
    if (text !== '') out.push([text, {}]);
    text = '';
  };
  for (const ch of input) {
    if (ch === '\t') {
      flush();
      out.push(['', { tab: true }]);
    } else if (ch === '\r' || ch === '\n') {
      flush();
      out.push(['', { return: true }]);
    } else if (ch === '\u007f' || ch === '\b') {
      flush();
      out.push(['', { backspace: true }]);
    } else if (ch >= '\u0001' && ch <= '\u001a') {
      // Ctrl-A … Ctrl-Z, as Ink reports a lone one: the letter, with ctrl.
      flush();
      out.push([String.fromCharCode(ch.charCodeAt(0) + 96), { ctrl: true }]);
    } else text += ch;
  }
  flush();
  return out;
}

/** A page of rows for PgUp/PgDn; the reducer clamps. */
const PAGE = 10;
const FAR = 1_000_000;

function navigation(input: string, key: KeyPress): Action | null {
  if (key.upArrow || input === 'k') return { type: 'moveSelection', delta: -1 };
  if (key.downArrow || input === 'j') return { type: 'moveSelection', delta: 1 };
  if (key.pageUp) return { type: 'moveSelection', delta: -PAGE };
  if (key.pageDown) return { type: 'moveSelection', delta: PAGE };
  if (key.home || input === 'g') return { type: 'moveSelection', delta: -FAR };
  if (key.end || input === 'G') return { type: 'moveSelection', delta: FAR };
  return null;
}

function submitKeys(state: DashboardState, input: string, key: KeyPress): Action[] {
  const o = state.overlay;
  if (o?.kind !== 'submit') return [];
  if (o.form.submittedId !== null) {
    // The form has become the followed task's panel.
    if (key.escape || key.return || input === 'q') return [{ type: 'closeOverlay' }];
    if (input === 'n') return [{ type: 'openSubmit' }];
    if (input === 'c') return [{ type: 'requestCancel' }];
    if (input === 'r') return [{ type: 'requestRetry' }];
    return [];
  }
  if (key.escape) return [{ type: 'closeOverlay' }];
  if (key.return) return [{ type: 'formSubmit' }];
  if ((key.tab && key.shift) || key.upArrow) return [{ type: 'formFocus', delta: -1 }];
  if (key.tab || key.downArrow) return [{ type: 'formFocus', delta: 1 }];
  if (key.leftArrow) return [{ type: 'formCycle', delta: -1 }];
  if (key.rightArrow) return [{ type: 'formCycle', delta: 1 }];
  if (key.backspace || key.delete) return [{ type: 'formBackspace' }];
  if (key.ctrl && input === 'u') return [{ type: 'formClear' }];
  if (key.ctrl || key.meta || input === '') return [];
  return [{ type: 'formInput', text: input }];
}

function filterKeys(input: string, key: KeyPress): Action[] {
  if (key.escape) return [{ type: 'closeOverlay' }];
  if (key.return) return [{ type: 'filterApply' }];
  if ((key.tab && key.shift) || key.upArrow) return [{ type: 'filterFocus', delta: -1 }];
  if (key.tab || key.downArrow) return [{ type: 'filterFocus', delta: 1 }];
  if (key.leftArrow || input === 'h') return [{ type: 'filterCycle', delta: -1 }];
  if (key.rightArrow || input === 'l' || input === ' ') return [{ type: 'filterCycle', delta: 1 }];
  if (key.backspace || key.delete || input === 'x') return [{ type: 'filterReset' }];
  return [];
}

function workerKeys(input: string): Action | null {
  switch (input) {
    case '+':
    case '=':
      return { type: 'scaleBy', delta: 1 };
    case '-':
    case '_':
      return { type: 'scaleBy', delta: -1 };
    case '[':
      return { type: 'boundBy', bound: 'min', delta: -1 };
    case '{':
      return { type: 'boundBy', bound: 'min', delta: 1 };
    case ']':
      return { type: 'boundBy', bound: 'max', delta: 1 };
    case '}':
      return { type: 'boundBy', bound: 'max', delta: -1 };
    case 's':
      return { type: 'toggleSteal' };
    case 'p':
      return { type: 'requestPauseResume' };
    default:
      return null;
  }
}

/** The actions a key press asks for in the state's current mode. */
export function keyActions(state: DashboardState, input: string, key: KeyPress): Action[] {
  if (key.ctrl && input === 'c') return [{ type: 'quit' }];
  const o = state.overlay;
  if (o?.kind === 'confirm') {
    if (input === 'y' || input === 'Y') return [{ type: 'confirmYes' }];
    if (input === 'n' || input === 'N' || key.escape) return [{ type: 'confirmNo' }];
    return [];
  }
  if (o?.kind === 'help') {
    return key.escape || key.return || input === '?' || input === 'q' ? [{ type: 'closeOverlay' }] : [];
  }
  if (o?.kind === 'submit') return submitKeys(state, input, key);
  if (o?.kind === 'filter') return filterKeys(input, key);

  if (input === 'q') return [{ type: 'quit' }];
  if (input === '?') return [{ type: 'openHelp' }];
  if (key.tab) return [{ type: 'cycleView', delta: key.shift ? -1 : 1 }];
  if (input === '1') return [{ type: 'switchView', view: 'overview' }];
  if (input === '2') return [{ type: 'switchView', view: 'workers' }];
  if (input === '3') return [{ type: 'switchView', view: 'tasks' }];
  if (input === '4') return [{ type: 'switchView', view: 'schedules' }];
  if (input === 'n') return [{ type: 'openSubmit' }];
  if (input === '/') return [{ type: 'openFilter' }];
  if (key.escape) return [{ type: 'closeOverlay' }];
  const nav = navigation(input, key);
  if (nav) return [nav];
  if (state.view === 'workers') {
    const a = workerKeys(input);
    return a ? [a] : [];
  }
  if (state.view === 'tasks') {
    if (key.return && !state.detail) return [{ type: 'openDetail' }];
    if (input === 'c') return [{ type: 'requestCancel' }];
    if (input === 'r') return [{ type: 'requestRetry' }];
    if (input === 'R') return [{ type: 'requestBulk', action: 'retry' }];
    if (input === 'C') return [{ type: 'requestBulk', action: 'cancel' }];
    if (input === 'D') return [{ type: 'requestBulk', action: 'delete' }];
  }
  return [];
}
