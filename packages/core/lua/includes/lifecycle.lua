--[[ lifecycle.lua — the transitions shared by several scripts: ending a
task (and cancelling its dependents when it did not succeed), releasing the
dependents of a task that succeeded, putting a task in the ready set, and
deleting a task for retention. ]]
-- @include keys
-- @include call
-- @include record
-- @include lanes
local TERMINAL = { succeeded = true, failed = true, expired = true, cancelled = true }

-- Puts a task in the ready set: at the back of its priority (of its group's lane, when the
-- queue has lanes: lanes.lua), or (`front`) ahead of every task of its priority — for work a
-- lost worker had already started. `spec`: the task's stored spec when the caller has it.
local function enqueue(rec, base, id, priority, reason, worker, front, spec)
  local seq = 0
  if not front then
    local group = nil
    if hasLanes(rec, base) then group = groupOf(spec or redis.call('HGET', taskKey(base, id), 'd')) end
    seq = nextSeq(rec, base, group)
  end
  redis.call('ZADD', base .. 'ready', readyScore(priority, seq), id)
  redis.call('HSET', taskKey(base, id), 's', 'queued')
  note(rec, 'queued', id, reason, worker)
end

local finish

-- Cancels, transitively, the pending dependents of a task that did not succeed.
local function cancelDependents(rec, base, now, id)
  local dkey = depsKey(base, id)
  local children = redis.call('SMEMBERS', dkey)
  if #children == 0 then return end
  redis.call('DEL', dkey)
  redis.call('SREM', base .. 'parents', id)
  for _, child in ipairs(children) do
    if redis.call('HGET', taskKey(base, child), 's') == 'pending' then
      redis.call('SREM', base .. 'pending', child)
      finish(rec, base, now, child, 'cancelled', 'dependency_failed', nil, nil)
    end
  end
end

-- Ends a task in a terminal state. The caller has already taken it out of
-- the structure it was in (ready, window, running, scheduled, pending).
finish = function(rec, base, now, id, state, reason, errorJson, worker)
  local fields = { 'HSET', taskKey(base, id), 's', state, 'ft', now }
  if reason then fields[#fields + 1] = 'rs'; fields[#fields + 1] = reason end
  if errorJson then fields[#fields + 1] = 'e'; fields[#fields + 1] = errorJson end
  redis.call(unpack(fields))
  redis.call('ZADD', doneKey(base, state), now, id)
  redis.call('ZREM', base .. 'dl', id) -- an ended task leaves the deadline index (no-op without a deadline)
  note(rec, state, id, reason, worker)
  count(rec, state, 1)
  if state ~= 'succeeded' then cancelDependents(rec, base, now, id) end
end

-- A parent succeeded: each dependent that now waits for nothing becomes
-- queued (or scheduled, if its run time is still ahead).
local function releaseDependents(rec, base, now, id)
  local dkey = depsKey(base, id)
  local children = redis.call('SMEMBERS', dkey)
  if #children == 0 then return end
  redis.call('DEL', dkey)
  redis.call('SREM', base .. 'parents', id)
  for _, child in ipairs(children) do
    local tkey = taskKey(base, child)
    local f = redis.call('HMGET', tkey, 's', 'p', 'ra')
    if f[1] == 'pending' and redis.call('HINCRBY', tkey, 'wt', -1) <= 0 then
      redis.call('SREM', base .. 'pending', child)
      local runAt = tonumber(f[3])
      if runAt and runAt > now then
        redis.call('ZADD', base .. 'sched', runAt, child)
        redis.call('HSET', tkey, 's', 'scheduled')
        note(rec, 'scheduled', child, 'dependencies_met', nil)
      else
        enqueue(rec, base, child, f[2], 'dependencies_met', nil)
      end
      wake(base)
    end
  end
end

-- Deletes terminal tasks for retention: their hash, dependents set and idempotency key.
-- Per batch where it can be, since the succeeded set is capped on every completion:
-- the idempotency index is looked at per task only when the queue has idempotency
-- keys at all (HLEN is O(1)), the deadline index only when it is not empty, and
-- one DEL removes the keys of the whole batch. `plain`: the caller knows the queue is plain
-- (plain.lua): it has no dependents or deadlines, so neither is looked for.
local function deleteTasks(base, ids, plain)
  local idem = base .. 'idem'
  if redis.call('HLEN', idem) > 0 then
    for _, id in ipairs(ids) do
      local ik = redis.call('HGET', taskKey(base, id), 'ik')
      if ik and redis.call('HGET', idem, ik) == id then redis.call('HDEL', idem, ik) end
    end
  end
  -- A dependents set lives only while its task is in `parents` (both go when it ends), so
  -- they are looked for only when some task of the queue has dependents at all.
  local withDeps = not plain and redis.call('SCARD', base .. 'parents') > 0
  local keys, n = {}, 0
  local taskPrefix = taskKey(base, '')
  for i = 1, #ids do
    local id = ids[i]
    n = n + 1
    keys[n] = taskPrefix .. id
    if withDeps then n = n + 1; keys[n] = depsKey(base, id) end
  end
  for i = 1, n, 4000 do redis.call('DEL', unpack(keys, i, math.min(i + 3999, n))) end
  if not plain and redis.call('ZCARD', base .. 'dl') > 0 then bulk('ZREM', base .. 'dl', ids) end
end

-- Keeps at most `max` tasks in a terminal set, removing the oldest (at most `limit` a call).
-- `plain`: as for deleteTasks.
local function capDone(base, state, max, limit, plain)
  local key = doneKey(base, state)
  local over = rcall('ZCARD', key) - max
  if over <= 0 then return 0 end
  -- ZRANGE + ZREMRANGEBYRANK, not ZPOPMIN: the scores are not needed, and Redis would format
  -- each one as a float for the reply.
  local n = math.min(over, limit)
  local ids = redis.call('ZRANGE', key, 0, n - 1)
  redis.call('ZREMRANGEBYRANK', key, 0, n - 1)
  deleteTasks(base, ids, plain)
  return #ids
end

-- Moves due scheduled tasks to the ready set (at most `limit`).
local function promoteDue(rec, base, now, limit)
  local due = redis.call('ZRANGEBYSCORE', base .. 'sched', '-inf', now, 'LIMIT', 0, limit)
  if #due == 0 then return 0 end
  bulk('ZREM', base .. 'sched', due)
  for _, id in ipairs(due) do
    enqueue(rec, base, id, redis.call('HGET', taskKey(base, id), 'p') or 1, 'due', nil)
  end
  return #due
end
