--[[ record.lua — batches a script call's transitions into as few stream
entries as possible (one per state/reason/worker), and its counters into one
HINCRBY per counter on the current second's hash and on the totals.
What is recorded lives in a record that the script makes at its top
(`local rec = newRecord()`) and passes to every helper that records: state
per call by construction. In the function library (src/scripts/library.ts)
an include's top-level locals live as long as the library, so nothing here is
kept there: a call that raised an error midway leaves nothing for the next. ]]
-- @include keys
-- @include call
local SECOND_TTL = 3600 -- per-second counters live an hour; the coordinator rolls them up

-- One table a call. Its array part lists the keys in the order first recorded; its hash part
-- maps each key to its value: an event key (`state\0reason\0worker`, never a counter name)
-- to its list of ids, a counter name to its sum.
local function newRecord()
  return {}
end

-- An entry's ids are the array part of its table; its state, reason and worker ride in the hash
-- part of the same table, so that flush needs neither a pattern to split the key nor more tables.
local function note(rec, state, id, reason, worker)
  local k = state .. '\0' .. (reason or '') .. '\0' .. (worker or '')
  local ids = rec[k]
  if not ids then
    -- '' reads as none, as it did in the key.
    ids = { s = state, r = reason ~= '' and reason or nil, w = worker ~= '' and worker or nil }
    rec[k] = ids
    rec[#rec + 1] = k
  end
  ids[#ids + 1] = id
end

local function count(rec, name, n)
  local sum = rec[name]
  if not sum then
    sum = 0
    rec[#rec + 1] = name
  end
  rec[name] = sum + (n or 1)
end

-- One stream entry: the ids of one transition kind (`ids`: one string, space-separated).
local function addEvent(events, maxLen, state, ids, reason, worker)
  if reason and worker then
    rcall('XADD', events, 'MAXLEN', '~', maxLen, '*', 's', state, 'ids', ids, 'r', reason, 'w', worker)
  elseif reason then
    rcall('XADD', events, 'MAXLEN', '~', maxLen, '*', 's', state, 'ids', ids, 'r', reason)
  elseif worker then
    rcall('XADD', events, 'MAXLEN', '~', maxLen, '*', 's', state, 'ids', ids, 'w', worker)
  else
    rcall('XADD', events, 'MAXLEN', '~', maxLen, '*', 's', state, 'ids', ids)
  end
end

-- One counter's sum `n` (`by`: the same as an argument string) added to the second's hash and
-- to the totals. Returns true when the field is new in the second's hash: it may be the hash's
-- first, which then needs its TTL (expireSecond). An existing one means the hash existed, and
-- whoever made it set the TTL in that same script.
local function addCount(sec, totals, name, by, n)
  local fresh = rcall('HINCRBY', sec, name, by) == n
  rcall('HINCRBY', totals, name, by)
  return fresh
end

local function expireSecond(sec)
  rcall('EXPIRE', sec, SECOND_TTL, 'NX')
end

-- Writes the record: the stream entries first, then the counters (in the order first recorded).
-- Called once a script call, at 500 calls a second too: it builds no table and formats each
-- counter once (every string and table a call makes costs its share of Lua's garbage collection).
-- The lean paths of a lone task (handoff.lua, quietround.lua) write what this would write for
-- their record, with addEvent and addCount directly.
local function flush(rec, base, now, maxLen)
  local counted = false
  local events = base .. 'events'
  for _, k in ipairs(rec) do
    local e = rec[k]
    if type(e) == 'table' then
      addEvent(events, maxLen, e.s, table.concat(e, ' '), e.r, e.w)
    else
      counted = true
    end
  end
  if counted then
    local sec, totals = secondKey(base, now), base .. 'totals'
    local fresh = false
    for _, name in ipairs(rec) do
      local n = rec[name]
      if type(n) == 'number' and addCount(sec, totals, name, int(n), n) then fresh = true end
    end
    if fresh then expireSecond(sec) end
  end
end

-- Wakes one worker blocked on this queue (it wakes the next if work remains).
local function wake(base)
  local key = base .. 'wake'
  if redis.call('LLEN', key) == 0 then redis.call('RPUSH', key, '1') end
end

-- Wakes one stealing worker blocked on this queue: the queue's work now waits in
-- windows, where only stealing can reach it (a stealer wakes the next one while
-- there is more to steal).
local function wakeStealers(base)
  local key = base .. 'stealwake'
  if redis.call('LLEN', key) == 0 then redis.call('RPUSH', key, '1') end
end
