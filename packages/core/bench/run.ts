/**
 * Core's benchmark runner: the engine's own groups (submit). `pnpm bench` runs
 * the worker package's runner, which adds the processing groups to these.
 *
 *   node packages/core/dist/bench/run.js [--n 200000] [--warmup 20000] [--only submit]
 *                                        [--window 1000] [--chunk 1000] [--bulk-inflight 1]
 *
 * Each group prints a table and writes packages/core/bench/results/<group>.json.
 */
import { runBench } from './driver.js';
import { submitGroup } from './submit-bench.js';

await runBench([submitGroup()]);
