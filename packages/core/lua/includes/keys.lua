--[[ keys.lua — key suffixes under a queue's base `{prefix:queue}:`.
Must agree with QueueKeys in src/keys.ts (a test checks it). Every key a
script builds shares the queue's hash tag, so one script touches one slot. ]]
-- An integer as a command argument. Passed as a Lua number, Redis turns it into a string
-- through "%.17g" float formatting, per argument: a measurable share of a batch's time when
-- it happens per task (times, attempt numbers). '%d' is cheap; a batch formats `now` once.
local function int(n) return string.format('%d', n) end
local function taskKey(base, id) return base .. 't:' .. id end
local function depsKey(base, id) return base .. 'deps:' .. id end
local function doneKey(base, state) return base .. 'done:' .. state end
local function windowKey(base, worker) return base .. 'win:' .. worker end
local function runningKey(base, worker) return base .. 'run:' .. worker end
-- A worker's inbox: the tasks a submit handed straight to it while it was idle (handoff.lua).
local function inboxKey(base, worker) return base .. 'inbox:' .. worker end
-- Set while an operator has paused the queue: no task of it starts anywhere (pauseQueue-2.lua).
local function pausedKey(base) return base .. 'paused' end
-- Flow control (flow.lua): a limit instance's running set, start log and held tasks.
local function flowRunKey(base, inst) return base .. 'fc:run:' .. inst end
local function flowLogKey(base, inst) return base .. 'fc:log:' .. inst end
local function flowHeldKey(base, inst) return base .. 'fc:held:' .. inst end
local function secondKey(base, now) return base .. 'sec:' .. int(math.floor(now / 1000)) end
-- `now` as an argument string and its second's counter key, from the caller's string `nowText`
-- (ARGV) when it already is what int() would make: the client sends a whole number of ms as
-- digits (String(Date.now())), so the lean paths of a lone task (handoff.lua, quietround.lua)
-- format no number for them (the key as secondKey writes it; the quiet-round tests compare the
-- counters both paths write). Any other time goes through int() and secondKey.
local function timeArgs(base, nowText, now)
  if now % 1 == 0 and now >= 1000 then return nowText, base .. 'sec:' .. string.sub(nowText, 1, -4) end
  return int(now), secondKey(base, now)
end
local PRIORITY_BAND = 1e13
local function readyScore(priority, seq)
  -- A damaged stored priority (not 1-10) queues at the default 5 rather than failing the script.
  local p = tonumber(priority)
  if not p or p < 1 or p > 10 then p = 5 end
  -- '%d', not '%.0f': both print the whole number exactly (below 1e14), and '%d' is an integer
  -- conversion where '%.0f' is C's float formatting, several times dearer, per queued task.
  return string.format('%d', (10 - p) * PRIORITY_BAND + seq)
end
-- Variadic commands over long lists, in chunks that stay below Lua's unpack limit.
local function bulk(cmd, key, list)
  local n = #list
  local i = 1
  while i <= n do
    local j = math.min(i + 3999, n)
    redis.call(cmd, key, unpack(list, i, j))
    i = j + 1
  end
end

-- A worker's running set and window in Redis's skiplist encoding once they hold many tasks.
-- Below zset-max-listpack-entries (128) Redis keeps a sorted set as a listpack, where every
-- ZADD, ZREM and ZMSCORE scans the list: at 50 tasks in flight that was a fifth of a round's
-- instructions (callgrind, ~28k a task), where the skiplist's lookups are a hash find. Redis
-- converts a set when a member longer than zset-max-listpack-value (64) enters it, and never
-- back while it lives: a batch this large brings the member below along and takes it out
-- again in the same call, so the set holds the same tasks and scores. Smaller batches (a
-- worker of few slots) keep the compact encoding; a larger zset-max-listpack-value keeps it too.
local SKIPLIST_BATCH = 16
-- Not a task id (those have no spaces or braces: TASK_ID_PATTERN), 72 bytes.
local SKIPLIST_MEMBER = '{dtps: not a task; makes Redis store this sorted set as a skiplist ....}'
-- ZADD of (score, member) pairs to a set of a worker's tasks (see above).
local function addTasks(key, list)
  local n = #list
  if n < 2 * SKIPLIST_BATCH then return bulk('ZADD', key, list) end
  local j = math.min(3998, n)
  redis.call('ZADD', key, '0', SKIPLIST_MEMBER, unpack(list, 1, j))
  redis.call('ZREM', key, SKIPLIST_MEMBER)
  for i = j + 1, n, 4000 do redis.call('ZADD', key, unpack(list, i, math.min(i + 3999, n))) end
end

-- A task's group, from its stored spec (`d`): the encoder writes it last as "g", and a group holds
-- only letters, digits and `_ . : @ -` (src/task/codec.ts), so a pattern finds it without decoding.
local function groupOf(spec)
  if not spec then return nil end
  return string.match(spec, ',"g":"([%w_.:@-]+)"}$')
end
-- A task's type, from its stored spec: first, as "t" (src/task/codec.ts). A type with an escaped
-- character is decoded properly; nil when the spec is damaged.
local function typeOf(spec)
  if not spec then return nil end
  local t = string.match(spec, '^{"t":"([^"\\]*)"')
  if t then return t end
  local ok, d = pcall(cjson.decode, spec)
  if ok and type(d) == 'table' and type(d.t) == 'string' then return d.t end
  return nil
end
