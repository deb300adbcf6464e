/**
 * `pnpm bench`: every group — core's (submit) and the worker's (process,
 * latency, idle, steal, bulk) — against one throwaway redis-server.
 *
 *   node packages/worker/dist/bench/run.js [--n 200000] [--warmup 20000] [--only process,latency]
 *        [--slots 5,50,200,400:0] [--prefetch N] [--cpu-prof DIR]
 *        [--scripts eval|functions] [--rate 500] [--seconds 15] [--latency-slots 5] [--idle-seconds 10] [--steal-runs 3]
 *
 *   --slots   worker configurations of the process group: slots, or slots:prefetch
 *   --cpu-prof DIR   writes a CPU profile of each worker child (node --cpu-prof)
 *   --scripts        how the process and latency groups run scripts: functions (default) or eval
 *
 *   node packages/worker/dist/bench/run.js --peers [--scale 0.2] [--reps 3] [--cases …] [--variants …]
 *        dtps beside BullMQ and bee-queue (peers/peers.ts); writes packages/worker/bench/results/peers.json
 *
 * Core's groups write packages/core/bench/results/<group>.json; the worker's
 * write packages/worker/bench/results/<group>.json.
 */
import { runBench, submitGroup } from '@dtps/core/bench';
import { bulkGroup } from './bulk.js';
import { idleGroup } from './idle.js';
import { latencyGroup } from './latency.js';
import { stealGroup } from './stealing.js';
import { processGroup } from './throughput.js';

if (process.argv.includes('--peers')) {
  const { runPeers } = await import('./peers/peers.js');
  await runPeers(process.argv.slice(2));
} else
  await runBench([submitGroup(), processGroup(), latencyGroup(), idleGroup(), stealGroup(), bulkGroup()]);
