import { bulk } from './bulk.js';
import { cancel } from './cancel.js';
import type { Command } from './command.js';
import { config } from './config.js';
import { list } from './list.js';
import { queue } from './queue.js';
import { retry } from './retry.js';
import { schedule } from './schedule.js';
import { scripts } from './scripts.js';
import { stats } from './stats.js';
import { status } from './status.js';
import { submit } from './submit.js';
import { up } from './up.js';
import { wait } from './wait.js';
import { drain, pause, resume, scale, steal } from './worker-control.js';
import { workers } from './workers.js';

/** Every command of `dtps`, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  submit,
  status,
  wait,
  list,
  stats,
  cancel,
  retry,
  bulk,
  workers,
  scale,
  pause,
  resume,
  drain,
  steal,
  queue,
  schedule,
  config,
  scripts,
  up,
];

export type { Command } from './command.js';
