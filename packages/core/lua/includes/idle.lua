--[[ idle.lua — a worker's registration in its queue's idle hash (worker id →
`<free slots> <until ms>`; see handoff.lua): written when a worker's claim
comes back dry, read by the submits that hand it tasks. ]]
-- @include keys
-- @include call

-- Registers `worker` idle with `freeArg` slots (a whole number as an argument string: the
-- quiet round passes the one it was sent), until `ttlMs` (an argument string) from now.
local function registerIdle(base, worker, freeArg, now, ttlMs)
  rcall('HSET', base .. 'idle', worker, freeArg .. ' ' .. int(now + tonumber(ttlMs)))
end

-- A registration's free slots (its digits, as written), or nil (and it is dropped) when it is
-- past its time: a worker gone (see handoff.lua) gets no handoff.
local function liveSlots(idle, worker, registration, now)
  local free, holdsUntil = string.match(registration, '^(%d+) (%d+)$')
  if holdsUntil and tonumber(holdsUntil) >= now then return free end
  rcall('HDEL', idle, worker)
  return nil
end
