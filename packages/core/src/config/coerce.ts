import type { ConfigLeaf } from './leaves.js';

/**
 * Turns the text of an environment variable (or a string flag) into the
 * leaf's type. Text that does not fit is returned unchanged, so that
 * validation then reports it as given (`got "abc"`) instead of as some
 * half-converted value like NaN.
 */
export function coerceText(leaf: ConfigLeaf, text: string): unknown {
  const trimmed = text.trim();
  switch (leaf.kind) {
    case 'int':
      // Digits only: `Number('')`, `Number('0x1F')` or `Number('1e3')` would
      // quietly accept things nobody means as a count of ms.
      return /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : text;
    case 'number':
      return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(trimmed) ? Number(trimmed) : text;
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
      return text;
    }
    case 'list':
      return trimmed === '' ? [] : trimmed.split(',').map((part) => part.trim());
    case 'string':
    case 'enum':
      return text;
  }
}
