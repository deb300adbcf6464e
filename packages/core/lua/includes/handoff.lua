--[[ handoff.lua — a submit hands its tasks straight to idle workers.
A worker whose claim found the queue dry registers in the queue's idle hash
(worker id → free slots) and blocks on its own inbox list. A submit then
starts up to that many tasks for it here — the handout of a claim: fenced in
its running set, a `running` event — and pushes them onto its inbox as one
message, which its blocking read returns: the task runs without a wake-up
token and a claim round trip in between (two process hops fewer).
A registration is used once (the worker registers again when a later claim
comes back dry); one message per registration, in the ready set's order. It
holds until a time (`<free slots> <until ms>`): a worker that died idle stops
getting handoffs once its registration is past it (its blocking read would
have timed out, and it would have registered again). ]]
-- @include keys
-- @include call
-- @include record
-- @include lifecycle
-- @include handout
-- @include idle
-- @include pop

-- Starts up to `free` tasks from the ready set for `worker` and pushes them to its inbox.
-- Returns how many it handed (the ready set ran dry if fewer than `free`).
local function handTo(rec, base, now, nowArg, worker, free)
  local popped = popReady(base .. 'ready', free, free)
  local out, running, ids = {}, {}, {}
  for i = 1, #popped, 2 do
    local id = popped[i]
    local ok, attemptArg = handout(rec, base, now, out, id, popped[i + 1], true, worker, nowArg)
    if ok then
      running[#running + 1] = attemptArg; running[#running + 1] = id
      ids[#ids + 1] = id
    end
  end
  if #ids == 0 then return 0 end
  redis.call('HDEL', base .. 'idle', worker)
  addTasks(runningKey(base, worker), running)
  redis.call('SADD', base .. 'workers', worker)
  note(rec, 'running', table.concat(ids, ' '), nil, worker)
  count(rec, 'started', #ids)
  -- One line per value (see HANDOUT_WIDTH): ids, scores and numbers hold no newline, and
  -- spec and payload are JSON texts, where a newline is always escaped.
  redis.call('RPUSH', inboxKey(base, worker), table.concat(out, '\n'))
  return #ids
end

-- The first live registration of `regs` (the idle hash as read; stale ones are dropped on the
-- way), or nil.
local function firstLiveWorker(idle, regs, now)
  for r = 1, #regs, 2 do
    if liveSlots(idle, regs[r], regs[r + 1], now) then return regs[r] end
  end
  return nil
end

-- A task submitted alone while nothing waits in the ready set, with a worker idle: written
-- started and handed over at once, with the records the route through the ready set leaves
-- (submit, then handTo) — task fields, running set, `queued` and `running` events, counters —
-- minus that route's five commands (sequence number, ready add and pop, task read, second
-- write): the latency path of a lightly loaded queue. Its score in the message is '0', as of
-- every task handed out started (pop.lua): a worker orders only its window by scores, and a
-- task handed back goes to the front of its priority (inbox.lua). Returns false, having
-- written nothing, when tasks are waiting or nobody is idle; then also true when nobody is
-- registered at all (handOff would find the same: no need to ask).
-- At 500 submits a second this is most of them: it writes its events and counters itself, in
-- the order flush would (no record, no message table), and formats no number: `nowText` is the
-- caller's `now` argument (timeArgs), the score and attempt are constants.
local function handOffNew(base, now, nowText, maxLen, ready, id, priority, spec, payload)
  local idle = base .. 'idle'
  -- The registrations are read whole at once: an empty hash answers as HLEN would.
  local regs = rcall('HGETALL', idle)
  if #regs == 0 then return false, true end
  if rcall('ZCARD', ready) > 0 then return false, false end
  local worker = firstLiveWorker(idle, regs, now)
  if not worker then return false, false end
  local nowArg, sec = timeArgs(base, nowText, now)
  rcall('HSET', taskKey(base, id), 's', 'running', 'p', priority, 'a', '1', 'd', spec, 'pl', payload,
    'w', worker, 'st', nowArg)
  local events = base .. 'events'
  addEvent(events, maxLen, 'queued', id)
  rcall('HDEL', idle, worker)
  rcall('ZADD', runningKey(base, worker), '1', id)
  rcall('SADD', base .. 'workers', worker)
  -- The message handTo would push: attempt 1, started, no deadline.
  rcall('RPUSH', inboxKey(base, worker), handoutText(id, '0', '1', true, spec, payload, nil))
  addEvent(events, maxLen, 'running', id, nil, worker ~= '' and worker or nil)
  local totals = base .. 'totals'
  local fresh = addCount(sec, totals, 'submitted', '1', 1)
  if addCount(sec, totals, 'started', '1', 1) then fresh = true end
  if fresh then expireSecond(sec) end
  return true
end

-- Returns how many tasks were handed off (they left the ready set).
local function handOff(rec, base, now)
  local idle = base .. 'idle'
  local regs = redis.call('HGETALL', idle)
  if #regs == 0 then return 0 end
  local nowArg = int(now)
  local handed = 0
  for r = 1, #regs, 2 do
    local worker = regs[r]
    local free = liveSlots(idle, worker, regs[r + 1], now)
    if free then
      free = tonumber(free)
      local n = handTo(rec, base, now, nowArg, worker, free)
      handed = handed + n
      if n < free and redis.call('ZCARD', base .. 'ready') == 0 then break end
    end
  end
  return handed
end
