/**
 * Every script's builder (src/scripts/calls) against the script's header in
 * lua/: the KEYS it builds are the header's, in its order; the ARGV it
 * builds has the header's named arguments in its order, then the header's
 * groups of values per item, with the arity the header gives them. The shape
 * each builder declares (keyNames, argNames, perItem) must be the header's
 * too. No Redis needed: the replies are checked against real scripts in
 * test/engine/script-calls.test.ts.
 */
import test from 'ava';
import { FleetKeys, QueueKeys } from '../../src/index.js';
import type { ScriptCall, ScriptShape } from '../../src/scripts/calls/index.js';
import * as calls from '../../src/scripts/calls/index.js';
import { readScriptFiles } from '../../src/scripts/load.js';
import { encodeSpec } from '../../src/task/codec.js';
import { normalizedSpec } from './normalized-spec.js';

/** What a script's header says of its calling convention. */
interface Header {
  keys: { name: string; pattern: string }[];
  args: string[];
  /** The index of the first repeated value (ARGV[n..]), if any. */
  itemsFrom: number | null;
  perItem: { per: string; names: string[]; count?: string }[];
}

/** Reads the `KEYS[i] name pattern`, `ARGV[i] name` and `ARGV[n..] … N values per x: a, b` lines. */
function parseHeader(source: string): Header {
  const header = source.slice(source.indexOf('--[['), source.indexOf(']]'));
  const keys = [...header.matchAll(/^KEYS\[(\d+)\]\s+(\w+)\s+(\S+)/gm)].map((m, i) => {
    if (Number(m[1]) !== i + 1) throw new Error(`KEYS[${m[1]}] out of order`);
    return { name: m[2]!, pattern: m[3]! };
  });
  const args = [...header.matchAll(/^ARGV\[(\d+)\]\s+(\w+)/gm)].map((m, i) => {
    if (Number(m[1]) !== i + 1) throw new Error(`ARGV[${m[1]}] out of order`);
    return m[2]!;
  });
  const items = /^ARGV\[(\d+)\.\.\]([\s\S]*?)(?=^(?:KEYS|ARGV|Returns)|$(?![\s\S]))/m.exec(header);
  const perItem = items
    ? [...items[2]!.matchAll(/(?:(\w+) × )?(\d+) values? per (\w+): (\w+(?:, \w+)*)/g)].map((m) => {
        const names = m[4]!.split(', ');
        if (names.length !== Number(m[2])) throw new Error(`"${m[0]}": ${names.length} names`);
        return { per: m[3]!, names, ...(m[1] ? { count: m[1] } : {}) };
      })
    : [];
  return { keys, args, itemsFrom: items ? Number(items[1]) : null, perItem };
}

const headers = new Map(readScriptFiles().map((f) => [f.name, parseHeader(f.source)]));

/** Every shape the calls module exports. */
const shapes = Object.values(calls).filter(
  (v): v is ScriptShape => typeof v === 'object' && v !== null && 'keyNames' in v && 'perItem' in v,
);

test('every script in lua/ has a shape, and every shape a script', (t) => {
  const withShape = new Set(shapes.map((s) => s.name));
  const scripts = [...headers.keys()];
  t.deepEqual([...withShape].sort(), scripts.sort());
  t.is(withShape.size, shapes.length, 'one shape per script');
});

test('each shape names the KEYS, ARGV and values per item that its script header does', (t) => {
  for (const shape of shapes) {
    const h = headers.get(shape.name)!;
    t.deepEqual(
      shape.keyNames,
      h.keys.map((k) => k.name),
      `${shape.name}: KEYS`,
    );
    t.deepEqual(shape.argNames, h.args, `${shape.name}: ARGV`);
    t.deepEqual(shape.perItem, h.perItem, `${shape.name}: values per item`);
    if (h.perItem.length > 0)
      t.is(h.itemsFrom, h.args.length + 1, `${shape.name}: ARGV[n..] follows the named ones`);
  }
});

// ---- builders, with sample input whose values can be told apart ----

const k = new QueueKeys('pfx', 'q1');
const fleet = new FleetKeys('pfx');
const W = 'w1';
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
const TASK = 't1';
const base = { keys: k, now: 1000, maxLen: 500 };
const common = { base: k.base, now: '1000', maxLen: '500' };

const full = normalizedSpec('s1', {
  runAt: 5000,
  deadline: 9000,
  idempotencyKey: 'ik',
  dependsOn: ['a', 'b'],
  dedupTtlMs: 60_000,
  debounce: 'replace',
});
const plain = normalizedSpec('s2');

/** A builder's output and what it must hold, by the header's names: named arguments, then values per item. */
interface Case {
  call: ScriptCall;
  args: Record<string, string>;
  /** Per group of perItem, the items' values in order. */
  items: string[][][];
}

const completions = [
  { id: 'c1', attempt: 2, json: '{"r":1}', createdAt: 400 },
  { id: 'c2', attempt: 1, json: 'null' },
];
const completionValues = [
  ['c1', '2', '{"r":1}', '600'],
  ['c2', '1', 'null', ''],
];

const cases: Record<string, Case> = {
  acquireLease: {
    call: calls.buildAcquireLease({ fleet, holder: 'c1', leaseMs: 3000 }),
    args: { holder: 'c1', leaseMs: '3000' },
    items: [],
  },
  releaseLease: {
    call: calls.buildReleaseLease({ fleet, holder: 'c1', epoch: 7 }),
    args: { holder: 'c1', epoch: '7' },
    items: [],
  },
  noteOrigin: {
    call: calls.buildNoteOrigin({
      fleet,
      known: { id: 'abc', losses: 2 },
      newId: 'def',
      now: 1000,
      by: 'w1',
      seen: ['x1', 'x2'],
    }),
    args: { known: 'abc', losses: '2', newId: 'def', now: '1000', by: 'w1', seen: 'x1 x2' },
    items: [],
  },
  expireDue: {
    call: calls.buildExpireDue({ ...base, limit: 20 }),
    args: { ...common, limit: '20' },
    items: [],
  },
  promoteDue: {
    call: calls.buildPromoteDue({ ...base, limit: 30 }),
    args: { ...common, limit: '30' },
    items: [],
  },
  trimDone: {
    call: calls.buildTrimDone({
      ...base,
      limit: 40,
      retention: {
        succeeded: { ageMs: 11, max: 12 },
        failed: { ageMs: 21, max: 22 },
        expired: { ageMs: 31, max: 32 },
        cancelled: { ageMs: 41, max: 42 },
      },
    }),
    args: {
      ...common,
      limit: '40',
      succeededAgeMs: '11',
      succeededMax: '12',
      failedAgeMs: '21',
      failedMax: '22',
      expiredAgeMs: '31',
      expiredMax: '32',
      cancelledAgeMs: '41',
      cancelledMax: '42',
    },
    items: [],
  },
  cancelTask: {
    call: calls.buildCancelTask({ ...base, id: TASK, reason: 'because' }),
    args: { ...common, id: TASK, reason: 'because' },
    items: [],
  },
  bulkTasks: {
    call: calls.buildBulkTasks({
      ...base,
      action: 'retry',
      filter: {
        state: 'failed',
        type: 'resize',
        group: 'g1',
        priority: 3,
        after: 10,
        before: 20,
        endedBy: 30,
      },
      reason: 'bulk',
      ids: ['a', 'b'],
    }),
    args: {
      ...common,
      action: 'retry',
      state: 'failed',
      type: 'resize',
      group: 'g1',
      priority: '3',
      after: '10',
      before: '20',
      endedBy: '30',
      reason: 'bulk',
    },
    items: [[['a'], ['b']]],
  },
  retryTask: { call: calls.buildRetryTask({ ...base, id: TASK }), args: { ...common, id: TASK }, items: [] },
  submitTasks: {
    call: calls.buildSubmitTasks({ ...base, atomic: true, tasks: [full, plain] }),
    args: { ...common, atomic: '1' },
    items: [
      [
        ['s1', '7', '5000', '9000', 'ik', 'a b', encodeSpec(full), '{"n":"s1"}', '60000', 'replace'],
        ['s2', '7', '', '', '', '', encodeSpec(plain), '{"n":"s2"}', '', ''],
      ],
    ],
  },
  appendLogs: {
    call: calls.buildAppendLogs({
      keys: k,
      maxLines: 100,
      maxBytes: 65536,
      attempts: [{ id: TASK, attempt: 2, lines: [[5, 'hi']] }],
    }),
    args: { base: k.base, maxLines: '100', maxBytes: '65536' },
    items: [[[TASK, '2', '[[5,"hi"]]']]],
  },
  submitPlain: {
    call: calls.buildSubmitPlain({ ...base, tasks: [plain] }),
    args: common,
    items: [[['s2', '7', encodeSpec(plain), '{"n":"s2"}']]],
  },
  completeTasks: {
    call: calls.buildCompleteTasks({ ...base, worker: W, keep: 99, completions }),
    args: { ...common, worker: W, keep: '99' },
    items: [completionValues],
  },
  cycleTasks: {
    call: calls.buildCycleTasks({
      ...base,
      worker: W,
      keep: 99,
      completions,
      starts: [{ id: 'r1', attempt: 3 }],
      claim: { max: 5, start: 4, promote: 100, steal: 2 },
      leaveIdle: true,
      registerIdle: false,
      idleTtlMs: 10_000,
    }),
    args: {
      ...common,
      worker: W,
      keep: '99',
      max: '5',
      start: '4',
      promote: '100',
      steal: '2',
      nc: '2',
      ns: '1',
      leaveIdle: '1',
      registerIdle: '0',
      idleTtl: '10000',
    },
    items: [completionValues, [['r1', '3']]],
  },
  failTasks: {
    call: calls.buildFailTasks({
      ...base,
      worker: W,
      seed: 42,
      failures: [
        { id: 'f1', attempt: 2, message: 'boom', reason: 'handler_error', permanent: true },
        {
          id: 'f2',
          attempt: 1,
          message: 'slow',
          reason: 'timeout',
          permanent: false,
          retryAfterMs: 50,
          traceparent: TRACEPARENT,
        },
      ],
    }),
    args: { ...common, worker: W, seed: '42' },
    items: [
      [
        ['f1', '2', 'boom', 'handler_error', '1', '', ''],
        ['f2', '1', 'slow', 'timeout', '0', '50', TRACEPARENT],
      ],
    ],
  },
  pauseQueue: {
    call: calls.buildPauseQueue(base),
    args: common,
    items: [],
  },
  setQueueLimit: {
    call: calls.buildSetQueueLimit({ ...base, scope: 'type:x', rate: { n: 5, perMs: 1000 }, concurrency: 3 }),
    args: { ...common, scope: 'type:x', rateN: '5', perMs: '1000', concurrency: '3', clear: '0' },
    items: [],
  },
  resumeQueue: {
    call: calls.buildResumeQueue(base),
    args: { base: k.base },
    items: [],
  },
  releaseTasks: {
    call: calls.buildReleaseTasks({ ...base, worker: W, ids: ['a', 'b'] }),
    args: { ...common, worker: W },
    items: [[['a'], ['b']]],
  },
  leaveIdle: {
    call: calls.buildLeaveIdle({ ...base, worker: W, received: [{ id: 'h1', attempt: 1 }] }),
    args: { ...common, worker: W },
    items: [[['h1', '1']]],
  },
  leaveQueue: {
    call: calls.buildLeaveQueue({ keys: k, worker: W }),
    args: { worker: W, base: k.base },
    items: [],
  },
  reportProgress: {
    call: calls.buildReportProgress({ ...base, worker: W, id: TASK, attempt: 2, percent: 55 }),
    args: { ...common, worker: W, id: TASK, attempt: '2', progress: '55' },
    items: [],
  },
  recoverWorker: {
    call: calls.buildRecoverWorker({ ...base, worker: W, seed: 42 }),
    args: { ...common, worker: W, seed: '42' },
    items: [],
  },
  saveSchedule: {
    call: calls.buildSaveSchedule({ fleet, id: TASK, defJson: '{"d":1}', next: 5000, now: 1000 }),
    args: { id: TASK, def: '{"d":1}', next: '5000', now: '1000' },
    items: [],
  },
  removeSchedule: {
    call: calls.buildRemoveSchedule({ fleet, id: TASK }),
    args: { id: TASK },
    items: [],
  },
  pauseSchedule: {
    call: calls.buildPauseSchedule({ fleet, id: TASK, paused: false, next: 5000, now: 1000 }),
    args: { id: TASK, paused: '0', next: '5000', now: '1000' },
    items: [],
  },
  recordFire: {
    call: calls.buildRecordFire({
      fleet,
      id: TASK,
      leader: { holder: 'c1', epoch: 7, version: 3, expectNext: 4000 },
      next: 6000,
      fired: 2,
      last: 5000,
      lastTask: { id: 'r1', queue: 'q1' },
      outcome: 'fired',
      now: 1000,
      maxLen: 500,
      events: [
        { kind: 'schedule:fired', detail: '{"due":4000}' },
        { kind: 'schedule:missed', detail: '{"count":3}' },
      ],
    }),
    args: {
      id: TASK,
      holder: 'c1',
      epoch: '7',
      version: '3',
      expectNext: '4000',
      next: '6000',
      fired: '2',
      last: '5000',
      lastTask: 'r1',
      lastQueue: 'q1',
      outcome: 'fired',
      now: '1000',
      maxLen: '500',
    },
    items: [
      [
        ['schedule:fired', '{"due":4000}'],
        ['schedule:missed', '{"count":3}'],
      ],
    ],
  },
};

/** A header's key pattern (`{p:q}:win:<w>`) with this test's prefix, queue, worker and task. */
function keyOf(pattern: string): string {
  return pattern
    .replace('{p:q}:', k.base)
    .replace('{p}:', fleet.base)
    .replace('<w>', W)
    .replace('<id>', TASK);
}

test('every script has a builder case here', (t) => {
  t.deepEqual(Object.keys(cases).sort(), shapes.map((s) => s.name).sort());
});

for (const shape of shapes) {
  test(`${shape.name}: the builder fills in the header's KEYS and ARGV, in order`, (t) => {
    const h = headers.get(shape.name)!;
    const { call, args, items } = cases[shape.name]!;
    t.true(
      call.argv.every((v) => typeof v === 'string'),
      'ARGV is strings',
    );
    t.deepEqual(
      call.keys,
      h.keys.map((key) => keyOf(key.pattern)),
      'KEYS',
    );
    t.deepEqual(
      call.argv.slice(0, h.args.length),
      h.args.map((name) => args[name]),
      'named ARGV',
    );
    t.deepEqual(Object.keys(args).sort(), [...h.args].sort(), 'the case names each argument once');
    // The values per item, group after group, each group as long as its count says.
    let o = h.args.length;
    h.perItem.forEach((group, g) => {
      const expected = items[g]!;
      if (group.count) t.is(Number(args[group.count]), expected.length, `${group.count}`);
      for (const item of expected) {
        t.is(item.length, group.names.length, `${group.per}: ${group.names.join(', ')}`);
        t.deepEqual(call.argv.slice(o, o + item.length), item, `a ${group.per}`);
        o += item.length;
      }
    });
    t.is(call.argv.length, o, 'nothing after the last item');
  });
}
