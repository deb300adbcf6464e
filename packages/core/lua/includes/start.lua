--[[ start.lua — a worker starts tasks from its window. A task no longer in
the window (stolen, handed back, recovered, cancelled) is not started; one
past its deadline ends expired. The deadline is read from the deadline index
(one ZMSCORE for the batch, skipped when no task of the queue has one), not
taken from the caller. Returns one code per task, as text (it goes into a
round's reply text as it is: cycleTasks-6.lua): '1' started, '0' not in the
window, '-1' expired. `ids` and `attempts` (the new attempt numbers) are lists. ]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include plain
-- Which of `ids` are in the window: true when all are, else ZMSCORE's reply (a score or nil
-- each). A worker starts its window from the front, in its order: when the first #ids members
-- are `ids` as listed, all are there, and no score is read (Redis 7.0 formats each one it
-- replies with "%.17g", some 3,400 instructions, per started task).
local function inWindow(windowKey, ids)
  local n = #ids
  local head = redis.call('ZRANGE', windowKey, '0', int(n - 1))
  if #head == n then
    local i = 1
    while i <= n and head[i] == ids[i] do i = i + 1 end
    if i > n then return true end
  end
  return redis.call('ZMSCORE', windowKey, unpack(ids))
end

local function startBatch(rec, base, now, worker, windowKey, runningKey, ids, attempts)
  local out = {}
  if #ids == 0 then return out end
  local present = inWindow(windowKey, ids)
  local all = present == true
  local deadlines = {}
  if not plainQueue(rec, base) and redis.call('ZCARD', base .. 'dl') > 0 then deadlines = redis.call('ZMSCORE', base .. 'dl', unpack(ids)) end
  local taken, running, startedIds = {}, {}, {}
  local nTaken, nStarted = 0, 0
  local nowArg = int(now)
  local taskPrefix = taskKey(base, '')
  for i = 1, #ids do
    if not all and not present[i] then
      out[i] = '0'
    else
      local id = ids[i]
      if not all then
        nTaken = nTaken + 1
        taken[nTaken] = id
      end
      local deadline = deadlines[i] and tonumber(deadlines[i])
      if deadline and deadline <= now then
        finish(rec, base, now, id, 'expired', 'deadline', nil, worker)
        out[i] = '-1'
      else
        local attempt = attempts[i]
        redis.call('HSET', taskPrefix .. id, 's', 'running', 'a', attempt, 'w', worker, 'st', nowArg)
        nStarted = nStarted + 1
        running[2 * nStarted - 1] = attempt; running[2 * nStarted] = id
        startedIds[nStarted] = id
        out[i] = '1'
      end
    end
  end
  -- All of them: the window's first #ids members.
  if all then
    redis.call('ZREMRANGEBYRANK', windowKey, '0', int(#ids - 1))
  elseif nTaken > 0 then
    bulk('ZREM', windowKey, taken)
  end
  if nStarted > 0 then
    addTasks(runningKey, running)
    note(rec, 'running', table.concat(startedIds, ' '), nil, worker)
    count(rec, 'started', nStarted)
  end
  return out
end
