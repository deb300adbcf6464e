import test from 'ava';
import type { Sample } from '../../bench/peers/peer-cases.js';
import { formatReport } from '../../bench/peers/peer-report.js';

function s(tasksPerSec: number, redisCpuUsPerTask = 10): Sample {
  return { tasks: 1000, tasksPerSec, redisCpuUsPerTask, redisCommandsPerTask: 3, commands: [] };
}

test('a ratio is the median of the ratios of runs paired by repetition, judged in the aim’s direction', (t) => {
  const { ratios } = formatReport(
    [
      {
        case: 'process-c400',
        description: '',
        // The load moved between repetitions, for both alike: per-repetition ratios 2, 3, 3 (median 3),
        // where the ratio of the medians would say 20,000 / 10,000 = 2.
        runs: {
          dtps: [s(20_000, 4), s(9_000, 4), s(36_000, 4)],
          'bee-fast': [s(10_000, 10), s(3_000, 10), s(12_000, 10)],
        },
      },
    ],
    ['dtps', 'bee-fast'],
  );
  const tps = ratios.find((r) => r.aim === 'process c400 ÷ bee-queue fast')!;
  t.is(tps.ratio, 3);
  t.is(tps.min, 2);
  t.is(tps.max, 3);
  t.true(tps.met);
  const cpu = ratios.find((r) => r.aim === 'Redis CPU/task c400 ÷ bee-queue fast')!;
  t.is(cpu.ratio, 0.4);
  t.true(cpu.met); // at most ½: lower is better
  // Aims whose case did not run are left out, not reported as missed.
  t.is(ratios.length, 2);
});
