--[[ operator.lua — an operator's transitions of one task: retry (a new
attempt series for a task that has ended), cancel (a task that has not
ended) and delete (its record removed). retryTask-1, cancelTask-1 and
bulkTasks-1 all go through these, so one task changes by the same rules
whether an operator names it or a filter chooses it. Each returns the reply
of the one-task script: { 1, … } when done, or a refusal code
(src/scripts/calls/error-codes.ts) with what goes with it. ]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include locate

-- A new attempt series (attempts back to 0; the error history is kept): the
-- task becomes queued, or pending while a dependency has not finished.
local function retryOne(rec, base, now, id)
  local key = taskKey(base, id)
  local f = redis.call('HMGET', key, 's', 'd', 'p', 'dl')
  local state = f[1]
  if not state then return { -1 } end
  if not TERMINAL[state] then return { -3, state } end
  local deadline = tonumber(f[4])
  if deadline and deadline <= now then return { -6 } end
  local decoded, spec = pcall(cjson.decode, f[2] or '')
  if not decoded or type(spec) ~= 'table' then return { -7 } end
  local waitingOn = {}
  for _, dep in ipairs(spec.dp or {}) do
    local s = redis.call('HGET', taskKey(base, dep), 's')
    if s ~= 'succeeded' then
      if not s or TERMINAL[s] then return { -5, dep, s or '' } end
      waitingOn[#waitingOn + 1] = dep
    end
  end
  redis.call('ZREM', doneKey(base, state), id)
  redis.call('HDEL', key, 'r', 'e', 'rs', 'ft', 'st', 'w', 'pg')
  redis.call('HSET', key, 'a', 0)
  if deadline then redis.call('ZADD', base .. 'dl', deadline, id) end
  count(rec, 'operator_retries', 1)
  if #waitingOn > 0 then
    for _, dep in ipairs(waitingOn) do
      redis.call('SADD', depsKey(base, dep), id)
      redis.call('SADD', base .. 'parents', dep)
    end
    redis.call('HSET', key, 's', 'pending', 'wt', #waitingOn)
    redis.call('SADD', base .. 'pending', id)
    note(rec, 'pending', id, 'operator_retry', nil)
    return { 1, 'pending' }
  end
  enqueue(rec, base, id, f[3], 'operator_retry', nil)
  wake(base)
  return { 1, 'queued' }
end

-- Ends a task that has not ended as `cancelled` (its pending dependents too,
-- transitively); the reply names the worker to tell when it was running.
local function cancelOne(rec, base, now, id, reason)
  local f = redis.call('HMGET', taskKey(base, id), 's', 'w')
  local state, worker = f[1], f[2]
  if not state then return { -1 } end
  if TERMINAL[state] then return { -3, state } end
  local was = takeOut(rec, base, now, id, state, worker)
  finish(rec, base, now, id, 'cancelled', reason, nil, nil)
  return { 1, was, was == 'running' and worker or '' }
end

-- Removes a task's record, as retention does (hash, dependents set,
-- idempotency key). One that has not ended is cancelled first (reason
-- `deleted`), so that its dependents and its worker hear of it.
local function deleteOne(rec, base, now, id)
  local f = redis.call('HMGET', taskKey(base, id), 's', 'w')
  local state, worker = f[1], f[2]
  if not state then return { -1 } end
  local tell = ''
  if not TERMINAL[state] then
    local r = cancelOne(rec, base, now, id, 'deleted')
    tell = r[3]
    state = 'cancelled'
  end
  redis.call('ZREM', doneKey(base, state), id)
  deleteTasks(base, { id })
  count(rec, 'operator_deletes', 1)
  return { 1, f[1], tell }
end
