--[[ claim.lua — a worker takes up to `max` tasks of one queue, in priority
order (FIFO within a priority), after promoting due scheduled tasks. The first
`start` go straight to running; the rest are reserved in the worker's window.
A task past its deadline is expired instead of handed out. When the ready set
cannot fill the claim and `stealMax` > 0, takes unstarted tasks from the back
of the busiest peer's window (at most half of it). Wakes the next blocked
worker if work remains. Appends 7 values per task to `out` (see handout.lua)
and returns the number stolen, the next due time (or -1) and the number
started. A paused queue (pauseQueue-2.lua) hands out nothing: no task of it
starts anywhere until it is resumed.
KEYS used by name: ready, scheduled, window, running, workers. ]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include handout
-- @include flow
-- @include plain
-- @include pop
-- Promotes due scheduled tasks. Returns the earliest scheduled entry as read (a claim that
-- comes back short reports it as the next due time), or nil when promoting changed it: one
-- read where most claims find nothing scheduled.
local NOTHING_SCHEDULED = {} -- read only: what ZRANGE of an absent key returns
local function promoteForClaim(rec, base, now, k, promoteLimit)
  if plainQueue(rec, base) then return NOTHING_SCHEDULED end
  local earliest = redis.call('ZRANGE', k.scheduled, 0, 0, 'WITHSCORES')
  if earliest[2] and tonumber(earliest[2]) <= now then
    promoteDue(rec, base, now, promoteLimit)
    return nil
  end
  return earliest
end

-- The time of the earliest scheduled task, or nil (`earliest`: as promoteForClaim left it).
local function nextScheduled(k, earliest)
  earliest = earliest or redis.call('ZRANGE', k.scheduled, 0, 0, 'WITHSCORES')
  return earliest[2] and tonumber(earliest[2]) or nil
end

-- The claim of a queue with limits (flow.lua): starts only, each admitted by every limit it
-- counts under, up to `start`; a task a limit holds back waits in that limit's held set (looked
-- at once: at most EXAMINE_MAX tasks a call). Returns like claimBatch (never steals).
local EXAMINE_MAX = 1000
local function claimLimited(rec, st, base, now, worker, k, out, start, promoteLimit)
  local earliest = promoteForClaim(rec, base, now, k, promoteLimit)
  releaseDue(st, base, now)
  local budget = start
  if st.limits.queue then
    local q = roomOf(st, base, now, 'queue')
    budget = math.min(budget, q.tokens, q.free)
  end
  -- No limit of a type or a group can run out in this claim when each has room for the whole
  -- budget (and none is kept per group): then no task is held back, and each one's instances
  -- are needed only to count its start.
  local roomy = st.byTask and roomForAll(st, base, now, budget)
  local nowArg = int(now)
  -- Per started task: its id, attempt and (when limits other than the queue's exist) instances.
  local running, startedIds, attempts, instsOf = {}, {}, {}, {}
  local examined = 0
  while #startedIds < budget and examined < EXAMINE_MAX do
    local popped = redis.call('ZPOPMIN', k.ready, math.min(budget - #startedIds, EXAMINE_MAX - examined))
    if #popped == 0 then break end
    for i = 1, #popped, 2 do
      local id, score = popped[i], popped[i + 1]
      examined = examined + 1
      local read, insts, blocked, why = nil, NO_INSTANCES, nil, nil
      if st.byTask then
        read = readForHandout(base, id)
        -- A damaged task is not admitted or held: handout quarantines it.
        if not read.err and read[1] then
          insts = taskInstances(st, read[1])
          if not roomy then blocked, why = blockerOf(st, base, now, insts) end
        end
      end
      if blocked then
        hold(rec, st, base, now, id, score, blocked, why, insts)
      else
        local ok, attemptArg = handout(rec, base, now, out, id, score, true, worker, nowArg, read)
        if ok then
          running[#running + 1] = attemptArg; running[#running + 1] = id
          local n = #startedIds + 1
          startedIds[n] = id; attempts[n] = attemptArg
          if st.byTask then
            instsOf[n] = insts
            if not roomy then take(st, base, now, insts) end
          end
        end
      end
    end
  end
  if #running > 0 then
    redis.call('SADD', k.workers, worker)
    addTasks(k.running, running)
    note(rec, 'running', table.concat(startedIds, ' '), nil, worker)
    count(rec, 'started', #startedIds)
    instsOf.taken = not roomy -- take() counted them one by one already
    charge(st, base, now, startedIds, attempts, st.byTask and instsOf or nil)
  end
  settle(st, base, now)
  local nextDue = -1
  if #startedIds < start then
    local candidates = { nextScheduled(k, earliest), flowNextDue(base) }
    local q = st.limits.queue
    if q and q.n > 0 and roomOf(st, base, now, 'queue').tokens < 1 then candidates[#candidates + 1] = nextToken(base, now, 'queue', q) end
    for _, c in pairs(candidates) do
      if c and (nextDue == -1 or c < nextDue) then nextDue = c end
    end
  elseif redis.call('ZCARD', k.ready) > 0 then
    wake(base)
  end
  return 0, nextDue, #startedIds
end

-- `popped`: what the round popped from the ready set already (quietround.lua, in a plain queue,
-- where nothing before the claim changes the ready set), or nil.
local function claimBatch(rec, base, now, worker, k, out, max, start, promoteLimit, stealMax, popped)
  local plain = plainQueue(rec, base)
  if not plain and redis.call('EXISTS', pausedKey(base)) == 1 then return 0, -1, 0 end
  local st = flowState(rec, base)
  if st then return claimLimited(rec, st, base, now, worker, k, out, start, promoteLimit) end
  local earliest = promoteForClaim(rec, base, now, k, promoteLimit)
  popped = popped or popReady(k.ready, max, start)
  -- Dry, and no stealing: what the rest would find, without its tables (the round of a worker
  -- that has just finished its task at a low rate, and registers idle next).
  if #popped == 0 and stealMax == 0 then return 0, nextScheduled(k, earliest) or -1, 0 end
  local nowArg = int(now)
  local window, running, startedIds, reservedIds = {}, {}, {}, {}
  local nStarted, nReserved = 0, 0
  local function take(list)
    for i = 1, #list, 2 do
      local id, score = list[i], list[i + 1]
      local startNow = nStarted < start
      local ok, attemptArg = handout(rec, base, now, out, id, score, startNow, worker, nowArg, nil, plain)
      if ok then
        if startNow then
          nStarted = nStarted + 1
          running[2 * nStarted - 1] = attemptArg; running[2 * nStarted] = id
          startedIds[nStarted] = id
        else
          nReserved = nReserved + 1
          window[2 * nReserved - 1] = score; window[2 * nReserved] = id
          reservedIds[nReserved] = id
        end
      end
    end
  end
  take(popped)

  -- Work stealing from the busiest peer's window, when the ready set ran dry.
  local stolen = 0
  if stealMax > 0 and #popped < max * 2 then
    local victim, longest = nil, 0
    for _, peer in ipairs(redis.call('SMEMBERS', k.workers)) do
      if peer ~= worker then
        local len = redis.call('ZCARD', windowKey(base, peer))
        if len > longest then victim, longest = peer, len end
      end
    end
    if victim then
      local n = math.min(stealMax, max - #popped / 2, math.ceil(longest / 2))
      local taken = redis.call('ZPOPMAX', windowKey(base, victim), n)
      stolen = #taken / 2
      take(taken)
      count(rec, 'steals', stolen)
      local ids = {}
      for i = 1, #taken, 2 do ids[#ids + 1] = taken[i] end
      note(rec, 'stolen', table.concat(ids, ' '), 'stolen_from:' .. victim, worker)
      -- More left than this thief could take: the next idle stealer may have it.
      if longest - stolen > 0 then wakeStealers(base) end
    end
  end
  if #popped > 0 or stolen > 0 then redis.call('SADD', k.workers, worker) end
  if #running > 0 then
    addTasks(k.running, running)
    note(rec, 'running', table.concat(startedIds, ' '), nil, worker)
    count(rec, 'started', #startedIds)
  end
  if #window > 0 then
    addTasks(k.window, window)
    note(rec, 'reserved', table.concat(reservedIds, ' '), nil, worker)
  end
  local nextDue = -1
  local readyLeft = 0
  if #popped + stolen * 2 < max * 2 then
    nextDue = nextScheduled(k, earliest) or -1
  else
    readyLeft = redis.call('ZCARD', k.ready)
    if readyLeft > 0 then wake(base) end
  end
  -- Reserved here with nothing left in the ready set: idle stealers may take some.
  if nReserved > 0 and readyLeft == 0 then wakeStealers(base) end
  return stolen, nextDue, nStarted
end
