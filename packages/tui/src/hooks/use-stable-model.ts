/**
 * Keeps the previous screen model while the new one is equal to it, so that
 * the memoised Screen skips rendering and Ink does not rebuild an unchanged
 * frame (what keeps an idle console cheap).
 */
import { useRef } from 'react';
import type { ScreenModel } from '../views/screen-model.js';

export function useStableModel(model: ScreenModel): ScreenModel {
  const last = useRef<{ json: string; model: ScreenModel } | null>(null);
  const json = JSON.stringify(model);
  if (last.current?.json === json) return last.current.model;
  last.current = { json, model };
  return model;
}
