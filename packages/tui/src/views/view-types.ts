/** Types the views share with the state, re-exported so that views import from one place. */
export type { KeyHint } from '../state/help.js';
export type { BulkProgress, Confirm, Connection, Freshness, Notice, ViewName } from '../state/types.js';

import type { Connection, TaskFilter } from '../state/types.js';

export type ConnectionStatus = Connection['status'];

/** The filter as the views read it. */
export type TaskFilterView = Readonly<TaskFilter>;
