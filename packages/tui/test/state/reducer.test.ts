/**
 * The reducer, action by action, without rendering. `cases` is typed by
 * ActionType, so an action added without a test (in cases/) does not compile.
 */
import test from 'ava';
import type { ActionType } from '../../src/state/actions.js';
import { reducer } from '../../src/state/reducer.js';
import { busyState, NOW } from '../fixtures.js';
import { dataCases } from './cases/data.js';
import { flowCases } from './cases/flow.js';
import type { Case } from './cases/helpers.js';
import { navigationCases } from './cases/navigation.js';
import { operatorCases } from './cases/operator.js';

const cases: Record<ActionType, Case> = {
  ...dataCases,
  ...navigationCases,
  ...operatorCases,
  ...flowCases,
};

for (const [name, run] of Object.entries(cases)) test(`reducer: ${name}`, run);

test('reducer: never changes the state it is given', (t) => {
  const s = busyState();
  const frozen = JSON.stringify(s);
  reducer(s, { type: 'scaleBy', delta: 1 });
  reducer(s, { type: 'openSubmit' });
  reducer(s, { type: 'tick', now: NOW + 10_000 });
  t.is(JSON.stringify(s), frozen);
});
