/**
 * The key reference: the footer shows the keys of the current mode, `?` shows
 * them all. One list, so the two never disagree with the keymap's tests.
 */
import type { DashboardState } from './types.js';

/** A key and what it does. */
export type KeyHint = readonly [key: string, does: string];

/** Every key, by where it works: what `?` shows. */
export const KEY_REFERENCE: readonly { title: string; keys: readonly KeyHint[] }[] = [
  {
    title: 'Everywhere',
    keys: [
      ['Tab S-Tab', 'next/previous view; 1 2 3 4'],
      ['n', 'new task (submit form)'],
      ['/', 'filter tasks'],
      ['↑↓ j k', 'move the selection'],
      ['PgUp PgDn', 'a page; g G top, end'],
      ['?', 'this help'],
      ['q', 'quit'],
    ],
  },
  {
    title: 'Workers view',
    keys: [
      ['+ -', 'pool size up / down'],
      ['[ {', 'min down / up'],
      ['] }', 'max up / down'],
      ['s', 'stealing on / off'],
      ['p', 'pause (asks) / resume'],
    ],
  },
  {
    title: 'Tasks view',
    keys: [
      ['Enter', 'detail; Esc back'],
      ['c', 'cancel (asks first)'],
      ['r', 'retry, if ended (asks)'],
      ['R C D', 'retry / cancel / delete ALL the filter shows (asks)'],
    ],
  },
  {
    title: 'Forms',
    keys: [
      ['Tab ↑↓', 'next/previous field'],
      ['← →', 'choose a value'],
      ['Enter', 'submit / apply'],
      ['Ctrl-U', 'clear the field'],
      ['Esc', 'close'],
    ],
  },
];

/** The keys of the current mode, for the footer. */
export function footerHints(state: DashboardState): KeyHint[] {
  const o = state.overlay;
  if (o?.kind === 'confirm')
    return [
      ['y', 'yes'],
      ['n Esc', 'no'],
    ];
  if (o?.kind === 'help') return [['Esc ?', 'close help']];
  if (o?.kind === 'submit') {
    if (o.form.submittedId !== null)
      return [
        ['Enter Esc', 'close'],
        ['n', 'another'],
        ['c', 'cancel it'],
        ['r', 'retry it'],
      ];
    return [
      ['Tab ↑↓', 'field'],
      ['← →', 'choose'],
      ['Enter', 'submit'],
      ['^U', 'clear'],
      ['Esc', 'close'],
    ];
  }
  if (o?.kind === 'filter')
    return [
      ['Tab ↑↓', 'field'],
      ['← →', 'choose'],
      ['x', 'any'],
      ['Enter', 'apply'],
      ['Esc', 'close'],
    ];
  const common: KeyHint[] = [
    ['Tab', 'view'],
    ['n', 'new'],
    ['/', 'filter'],
  ];
  const tail: KeyHint[] = [
    ['?', 'help'],
    ['q', 'quit'],
  ];
  if (state.view === 'workers')
    return [...common, ['+-', 'size'], ['[]{}', 'min/max'], ['s', 'steal'], ['p', 'pause'], ...tail];
  if (state.view === 'tasks') {
    if (state.detail) return [['Esc', 'back'], ['c', 'cancel'], ['r', 'retry'], ...common, ...tail];
    return [
      ...common,
      ['↑↓', 'move'],
      ['Enter', 'detail'],
      ['c', 'cancel'],
      ['r', 'retry'],
      ['R C D', 'all shown'],
      ...tail,
    ];
  }
  return [...common, ...tail];
}
