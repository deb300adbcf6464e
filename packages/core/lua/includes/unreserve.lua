--[[ unreserve.lua — puts what every worker of a queue has reserved in its window back in the
ready set, each task keeping its score (its place), for an operator's change that must take
effect on reserved tasks too: a pause (nothing reserved may start) or a limit (a reserved task
would start without its limits' say: flow.lua). Idle registrations go too, so that no submit
hands a task to a worker until that worker claims again. ]]
-- @include keys
-- @include record

-- Returns the number of tasks put back; notes them `queued` with `reason`.
local function unreserveAll(rec, base, workersKey, reason)
  redis.call('DEL', base .. 'idle')
  local back = 0
  for _, worker in ipairs(redis.call('SMEMBERS', workersKey)) do
    local wkey = windowKey(base, worker)
    local held = redis.call('ZRANGE', wkey, 0, -1, 'WITHSCORES')
    if #held > 0 then
      local ready, ids = {}, {}
      for i = 1, #held, 2 do
        ready[#ready + 1] = held[i + 1]; ready[#ready + 1] = held[i]
        ids[#ids + 1] = held[i]
      end
      bulk('ZADD', base .. 'ready', ready)
      redis.call('DEL', wkey)
      note(rec, 'queued', table.concat(ids, ' '), reason, worker)
      back = back + #ids
    end
  end
  return back
end
