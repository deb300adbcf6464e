--[[ flow.lua — rate limits and concurrency caps, enforced where tasks are handed out
(docs/flow-control.md). A queue's limits live in its `flow` hash, one field per scope:
`queue`, `type:<T>`, `group:<G>`, `each-group`; the value is '<n> <perMs> <concurrency>'
(0: no such limit). A task counts under limit instances: `queue`, `type:<T>`, `group:<G>`, and
`each:<G>` (the each-group limit, kept per group). Per instance:
  fc:run:<inst>   set of the ids running under its cap
  fc:log:<inst>   zset of its starts in the current window and the LOG_KEEP_MS before it, for
                  its rate: one entry per claim ('<count>:<first id>:<attempt>' → start ms,
                  the count of the tasks that claim started under it), so that a start costs
                  nothing of its own: a claim of 400 adds one entry
  fc:held:<inst>  zset id → ready score: tasks it holds back, in their ready order
and for the queue:
  fc:due          zset inst → when its held tasks may go back to the ready set; '+inf' while its
                  cap is full (a task of it that ends brings the time to now)
  fc:insts        set of the instances with a running set or a start log (so that clearing a
                  limit finds them, each-group ones included)
The rate is a sliding window log, not a token bucket: "at most N starts per window" then holds
for every window, where a bucket lets 2N through across a boundary. A task's end gives its
slots back (flowLeave): every path that takes a task out of a running set calls it, and only
the fenced, accepted transition does, so a stalled worker's late report can free nothing twice.
The instances are found again from the task's spec and the limits of the moment: taking an id
out of a set it is not in changes nothing, and a cap cleared meanwhile took its set with it.
A limited queue hands out only through the claim: it reserves nothing in windows (a reserved
task would start later than the token it took), takes no idle registration (so no submit hands
it a task) and steals nothing. ]]
-- @include keys
-- @include record

local NO_DUE = '+inf'
-- Each claim brings its own clock reading, taken before its call reaches Redis, so a claim that
-- read its clock a little earlier can run after one that read it later. Starts stay in the log
-- this long after their window has passed for the later one, and a claim counts only the starts
-- after its own window's beginning (later ones included): then the late claim still sees every
-- start of its window, and no window of the recorded start times holds more than N.
local LOG_KEEP_MS = 1000
-- A claim puts back at most this many instances' held tasks, and this many tasks per instance.
local RELEASE_INSTANCES, RELEASE_TASKS = 16, 1000

local function parseLimit(v)
  local n, per, conc = string.match(v or '', '^(%d+) (%d+) (%d+)$')
  if not n then return nil end
  return { n = tonumber(n), per = tonumber(per), conc = tonumber(conc) }
end

-- The queue's limits for this call, or nil when it has none (one HGETALL of an absent key on
-- the hot path of a queue without limits). Cached in rec.flow: state per call.
local function flowState(rec, base)
  local st = rec.flow
  if st == nil then
    st = false
    local cfg = redis.call('HGETALL', base .. 'flow')
    if #cfg > 0 then
      st = { limits = {}, byTask = false, taskCaps = false, byType = false, byGroup = false, inst = {}, insts = {} }
      for i = 1, #cfg, 2 do
        local scope, lim = cfg[i], parseLimit(cfg[i + 1])
        if lim then
          st.limits[scope] = lim
          if scope ~= 'queue' then
            st.byTask = true
            if lim.conc > 0 then st.taskCaps = true end
            if string.sub(scope, 1, 5) == 'type:' then st.byType = true else st.byGroup = true end
          end
        end
      end
    end
    rec.flow = st
  end
  return st or nil
end

local function limitOf(st, inst)
  local lim = st.limits[inst]
  if lim then return lim end
  if string.sub(inst, 1, 5) == 'each:' then return st.limits['each-group'] end
  return nil
end

-- An instance's room this call: tokens left in the window and free slots under the cap
-- (math.huge for a limit it does not have). Read once a call, then kept up to date by charge.

-- The start-log entries of an instance's window (after `now - per`, later ones included), in
-- time order: a flat list of member, score; each member starts with its count.
local function windowEntries(base, now, inst, lim)
  return redis.call('ZRANGEBYSCORE', flowLogKey(base, inst), '(' .. int(now - lim.per), '+inf', 'WITHSCORES')
end

local function entryCount(member) return tonumber(string.match(member, '^(%d+):')) or 1 end

local function roomOf(st, base, now, inst)
  local s = st.inst[inst]
  if s then return s end
  local lim = limitOf(st, inst)
  s = { tokens = math.huge, free = math.huge }
  if lim and lim.n > 0 then
    redis.call('ZREMRANGEBYSCORE', flowLogKey(base, inst), '-inf', int(now - lim.per - LOG_KEEP_MS))
    local used, entries = 0, windowEntries(base, now, inst, lim)
    for i = 1, #entries, 2 do used = used + entryCount(entries[i]) end
    s.tokens = lim.n - used
  end
  if lim and lim.conc > 0 then s.free = lim.conc - redis.call('SCARD', flowRunKey(base, inst)) end
  st.inst[inst] = s
  return s
end

-- When an instance out of tokens has one again: when enough of its window's starts age out
-- (the oldest first) that fewer than N remain.
local function nextToken(base, now, inst, lim)
  local entries = windowEntries(base, now, inst, lim)
  local used = 0
  for i = 1, #entries, 2 do used = used + entryCount(entries[i]) end
  local over = used - lim.n
  if over < 0 then return now end
  local aged = 0
  for i = 1, #entries, 2 do
    aged = aged + entryCount(entries[i])
    if aged > over then return tonumber(entries[i + 1]) + lim.per end
  end
  return now
end

-- The instances other than `queue` that a task counts under, from its stored spec. One list per
-- type and group for the whole call, shared: callers read it, never change it.
local function taskInstances(st, spec)
  local t = st.byType and typeOf(spec) or nil
  local g = st.byGroup and groupOf(spec) or nil
  local key = t or ''
  if g then key = key .. '\0' .. g end
  local list = st.insts[key]
  if list then return list end
  list = {}
  if t and st.limits['type:' .. t] then list[#list + 1] = 'type:' .. t end
  if g then
    if st.limits['group:' .. g] then list[#list + 1] = 'group:' .. g end
    if st.limits['each-group'] then list[#list + 1] = 'each:' .. g end
  end
  st.insts[key] = list
  return list
end

-- The first instance with no room for one more start, and why ('rate' or 'concurrency'), or nil.
local function blockerOf(st, base, now, insts)
  for _, inst in ipairs(insts) do
    local s = roomOf(st, base, now, inst)
    if s.tokens < 1 then return inst, 'rate' end
    if s.free < 1 then return inst, 'concurrency' end
  end
  return nil
end

-- The time an instance's held tasks should next be looked at, given its room now.
local function dueOf(st, base, now, inst)
  local lim = limitOf(st, inst)
  if not lim then return now end -- its limit was cleared: let them go
  local s = roomOf(st, base, now, inst)
  if s.tokens < 1 then return nextToken(base, now, inst, lim) end
  if s.free < 1 then return NO_DUE end
  return now
end

-- Holds a task back under `inst`, keeping its ready score. Its other instances are looked at
-- again after the claim (settle): the start this task does not take may let one of theirs go.
local function hold(rec, st, base, now, id, score, inst, why, insts)
  redis.call('ZADD', flowHeldKey(base, inst), score, id)
  st.touched = st.touched or {}
  for _, other in ipairs(insts) do st.touched[other] = true end
  note(rec, 'held', id, why .. ':' .. inst, nil)
  count(rec, 'held', 1)
end

-- What a task counts under when the queue's limits are the queue's own only (shared, read-only).
local NO_INSTANCES = {}

-- Takes one start's room from `insts`, for the rest of this call (the queue's own room bounds the
-- claim's budget from the start, and charge takes it for all the starts at once).
local function take(st, base, now, insts)
  for _, inst in ipairs(insts) do
    local s = roomOf(st, base, now, inst)
    s.tokens = s.tokens - 1; s.free = s.free - 1
  end
end

-- Whether every limit of a type or a group has room for `budget` more starts this call (and
-- no limit is kept per group, whose instances are not known before the tasks are read).
local function roomForAll(st, base, now, budget)
  if st.limits['each-group'] then return false end
  for scope in pairs(st.limits) do
    if scope ~= 'queue' then
      local room = roomOf(st, base, now, scope)
      if room.tokens < budget or room.free < budget then return false end
    end
  end
  return true
end

-- Counts a claim's starts against their instances: one start-log entry per rate for the whole
-- call (how many it started, named after the first start), the ids in the running set of each
-- cap (one command per instance per call). `ids`, `attempts`: the started tasks; `instsOf`:
-- each one's instances besides `queue`, or nil when the queue has no other limits.
local function charge(st, base, now, ids, attempts, instsOf)
  if #ids == 0 then return end
  local logs, runs = {}, {}
  local q = st.limits.queue
  if q then
    local room = roomOf(st, base, now, 'queue')
    room.tokens = room.tokens - #ids; room.free = room.free - #ids
    if q.n > 0 then logs.queue = { count = #ids, first = ids[1] .. ':' .. attempts[1] } end
    if q.conc > 0 then runs.queue = ids end
  end
  if instsOf then
    -- Tasks of one type and group share one instance list (taskInstances): gather the started
    -- ids by list, then count each list's instances once.
    local byList, lists = {}, {}
    for i, id in ipairs(ids) do
      local list = instsOf[i]
      if #list > 0 then
        local g = byList[list]
        if not g then g = { first = id .. ':' .. attempts[i] }; byList[list] = g; lists[#lists + 1] = list end
        g[#g + 1] = id
      end
    end
    for _, list in ipairs(lists) do
      local g = byList[list]
      for _, inst in ipairs(list) do
        local lim = limitOf(st, inst)
        local room = st.inst[inst]
        if room and not instsOf.taken then room.tokens = room.tokens - #g; room.free = room.free - #g end
        if lim.n > 0 then
          local l = logs[inst]
          if l then l.count = l.count + #g else logs[inst] = { count = #g, first = g.first } end
        end
        if lim.conc > 0 then
          local r = runs[inst]
          if not r then r = {}; runs[inst] = r end
          for k = 1, #g do r[#r + 1] = g[k] end
        end
      end
    end
  end
  local nowArg = int(now)
  local names = {}
  for inst, l in pairs(logs) do
    redis.call('ZADD', flowLogKey(base, inst), nowArg, int(l.count) .. ':' .. l.first)
    names[#names + 1] = inst
  end
  for inst, r in pairs(runs) do
    bulk('SADD', flowRunKey(base, inst), r)
    if not logs[inst] then names[#names + 1] = inst end
  end
  if #names > 0 then redis.call('SADD', base .. 'fc:insts', unpack(names)) end
end

-- Puts back in the ready set the held tasks of instances whose time has come, as many as each
-- can start now. Returns how many went back.
local function releaseDue(st, base, now)
  local due = redis.call('ZRANGEBYSCORE', base .. 'fc:due', '-inf', now, 'LIMIT', 0, RELEASE_INSTANCES)
  local back = 0
  for _, inst in ipairs(due) do
    local room = RELEASE_TASKS
    if limitOf(st, inst) then
      local s = roomOf(st, base, now, inst)
      room = math.min(room, s.tokens, s.free)
    end
    if room >= 1 then
      local tasks = redis.call('ZPOPMIN', flowHeldKey(base, inst), room)
      local ready = {}
      for i = 1, #tasks, 2 do ready[#ready + 1] = tasks[i + 1]; ready[#ready + 1] = tasks[i] end
      if #ready > 0 then bulk('ZADD', base .. 'ready', ready) end
      back = back + #tasks / 2
    end
    st.touched = st.touched or {}
    st.touched[inst] = true
  end
  return back
end

-- After a claim: every instance it touched either holds nothing (and leaves fc:due) or gets
-- the time its held tasks should next be looked at.
local function settle(st, base, now)
  if not st.touched then return end
  for inst in pairs(st.touched) do
    if redis.call('EXISTS', flowHeldKey(base, inst)) == 0 then
      redis.call('ZREM', base .. 'fc:due', inst)
    else
      local at = dueOf(st, base, now, inst)
      redis.call('ZADD', base .. 'fc:due', at == NO_DUE and at or int(at), inst)
    end
  end
end

-- The earliest time some held task may go back to the ready set, or nil.
local function flowNextDue(base)
  local first = redis.call('ZRANGE', base .. 'fc:due', 0, 0, 'WITHSCORES')
  if first[2] and first[2] ~= 'inf' then return tonumber(first[2]) end
  return nil
end

-- Tasks left running (ended, failed, recovered, handed back, cancelled): their slots under caps
-- are free again, and instances holding tasks back for those slots are due now.
local function flowLeave(rec, base, now, ids)
  local st = flowState(rec, base)
  if not st or #ids == 0 then return end
  local freed = {}
  if st.limits.queue and st.limits.queue.conc > 0 then
    bulk('SREM', flowRunKey(base, 'queue'), ids)
    freed.queue = true
  end
  if st.taskCaps then
    -- The caps of a type or a group: a handful at most, so the whole batch leaves each running
    -- set in one command (an id not in it is no member), and no task's spec needs reading.
    for scope, lim in pairs(st.limits) do
      if lim.conc > 0 and scope ~= 'queue' and scope ~= 'each-group' then
        local removed = 0
        for i = 1, #ids, 4000 do
          removed = removed + redis.call('SREM', flowRunKey(base, scope), unpack(ids, i, math.min(i + 3999, #ids)))
        end
        if removed > 0 then freed[scope] = true end
      end
    end
    -- Each group's own cap: one set per group, found from each task's spec.
    local each = st.limits['each-group']
    if each and each.conc > 0 then
      local byGroup = {}
      for _, id in ipairs(ids) do
        local g = groupOf(redis.call('HGET', taskKey(base, id), 'd'))
        if g then
          local inst = 'each:' .. g
          byGroup[inst] = byGroup[inst] or {}
          byGroup[inst][#byGroup[inst] + 1] = id
        end
      end
      for inst, list in pairs(byGroup) do
        bulk('SREM', flowRunKey(base, inst), list)
        freed[inst] = true
      end
    end
  end
  local woke = false
  for inst in pairs(freed) do
    if inst == 'queue' then
      if redis.call('ZCARD', base .. 'ready') > 0 then woke = true end
    elseif redis.call('ZSCORE', base .. 'fc:due', inst) then
      redis.call('ZADD', base .. 'fc:due', 'LT', int(now), inst)
      woke = true
    end
  end
  if woke then wake(base) end
end
