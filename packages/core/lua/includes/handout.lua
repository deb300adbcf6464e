--[[ handout.lua — what a worker receives for each task it claims or steals:
the task's stored fields, unless its deadline has passed, in which case it
ends `expired` here instead of being handed out.
Needs: keys.lua, record.lua, lifecycle.lua. ]]
local HANDOUT_WIDTH = 7 -- id, score, attempt, started, spec, payload, deadline

-- Appends the task to `out` and returns true, or expires it and returns false.
local function handout(base, now, out, id, score, started, worker)
  local f = redis.call('HMGET', taskKey(base, id), 'd', 'pl', 'a', 'dl')
  local deadline = tonumber(f[4])
  if not f[1] then return false end
  if deadline and deadline <= now then
    finish(base, now, id, 'expired', 'deadline', nil, worker)
    return false
  end
  local attempt = tonumber(f[3]) or 0
  if started then
    attempt = attempt + 1
    redis.call('HSET', taskKey(base, id), 's', 'running', 'a', attempt, 'w', worker, 'st', now)
  end
  out[#out + 1] = id; out[#out + 1] = score; out[#out + 1] = attempt
  out[#out + 1] = started and 1 or 0; out[#out + 1] = f[1]; out[#out + 1] = f[2]; out[#out + 1] = f[4] or ''
  return true
end
