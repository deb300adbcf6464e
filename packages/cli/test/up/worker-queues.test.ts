import { configSchema } from '@dtps/core';

type DtpsConfigInput = Parameters<typeof configSchema.parse>[0];

import test from 'ava';
import { workerQueues } from '../../src/up/daemons.js';

const config = (input: DtpsConfigInput) => configSchema.parse(input);

test('dtps up passes the configured queues on, adding the submit queue', (t) => {
  t.deepEqual(workerQueues(config({ worker: { queues: ['mail', 'reports'] } })), [
    'mail',
    'reports',
    'default',
  ]);
  t.deepEqual(workerQueues(config({ queue: 'mail', worker: { queues: ['mail', 'reports'] } })), [
    'mail',
    'reports',
  ]);
});

test('dtps up keeps weights, in either form, and gives the submit queue weight 1 in a weighted list', (t) => {
  t.deepEqual(workerQueues(config({ worker: { queues: ['critical:6', { name: 'bulk', weight: 2 }] } })), [
    'critical:6',
    'bulk:2',
    'default:1',
  ]);
  t.deepEqual(workerQueues(config({ worker: { queues: ['critical:6', 'default:3'] } })), [
    'critical:6',
    'default:3',
  ]);
});
