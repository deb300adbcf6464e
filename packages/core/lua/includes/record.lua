--[[ record.lua — batches this script's transitions into as few stream
entries as possible (one per state/reason/worker), and its counters into one
HINCRBY per counter on the current second's hash and on the totals. ]]
-- @include keys
local EVENTS, EVENT_ORDER, COUNTS, COUNT_ORDER = {}, {}, {}, {}
local SECOND_TTL = 3600 -- per-second counters live an hour; the coordinator rolls them up

-- A script call starts with empty tables. Run as EVAL they are new each call anyway; in the
-- function library (src/scripts/library.ts) they live as long as the library, so each function
-- calls this first: a call that raised an error midway leaves nothing behind for the next.
local function resetRecord()
  EVENTS, EVENT_ORDER, COUNTS, COUNT_ORDER = {}, {}, {}, {}
end

local function note(state, id, reason, worker)
  local k = state .. '\0' .. (reason or '') .. '\0' .. (worker or '')
  local ids = EVENTS[k]
  if not ids then
    ids = {}
    EVENTS[k] = ids
    EVENT_ORDER[#EVENT_ORDER + 1] = k
  end
  ids[#ids + 1] = id
end

local function count(name, n)
  if not COUNTS[name] then
    COUNTS[name] = 0
    COUNT_ORDER[#COUNT_ORDER + 1] = name
  end
  COUNTS[name] = COUNTS[name] + (n or 1)
end

local function flush(base, now, maxLen)
  for _, k in ipairs(EVENT_ORDER) do
    local state, reason, worker = string.match(k, '^([^%z]*)%z([^%z]*)%z(.*)$')
    local args = { 'XADD', base .. 'events', 'MAXLEN', '~', maxLen, '*', 's', state, 'ids', table.concat(EVENTS[k], ' ') }
    if reason ~= '' then args[#args + 1] = 'r'; args[#args + 1] = reason end
    if worker ~= '' then args[#args + 1] = 'w'; args[#args + 1] = worker end
    redis.call(unpack(args))
  end
  if #COUNT_ORDER > 0 then
    local sec = secondKey(base, now)
    local fresh = false
    for _, name in ipairs(COUNT_ORDER) do
      local n = COUNTS[name]
      -- A new field may be the hash's first, which then needs its TTL. An existing one means
      -- the hash existed, and whoever made it set the TTL in that same script.
      if redis.call('HINCRBY', sec, name, int(n)) == n then fresh = true end
      redis.call('HINCRBY', base .. 'totals', name, int(n))
    end
    if fresh then redis.call('EXPIRE', sec, SECOND_TTL, 'NX') end
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
