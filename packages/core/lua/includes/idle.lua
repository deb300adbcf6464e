--[[ idle.lua — a worker's registration in its queue's idle hash (worker id →
`<free slots> <until ms>`; see handoff.lua): written when a worker's claim
comes back dry, read by the submits that hand it tasks. ]]
-- @include keys

-- Registers `worker` idle with `free` slots, until `ttlMs` (an argument string) from now.
local function registerIdle(base, worker, free, now, ttlMs)
  redis.call('HSET', base .. 'idle', worker, int(free) .. ' ' .. int(now + tonumber(ttlMs)))
end

-- A registration's free slots, or nil (and it is dropped) when it is past its time: a
-- worker gone (see handoff.lua) gets no handoff.
local function liveSlots(idle, worker, registration, now)
  local free, holdsUntil = string.match(registration, '^(%d+) (%d+)$')
  if holdsUntil and tonumber(holdsUntil) >= now then return tonumber(free) end
  redis.call('HDEL', idle, worker)
  return nil
end
