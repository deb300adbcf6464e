--[[ locate.lua — takes a not-yet-terminal task out of whatever structure
holds it (pending set, scheduled set, ready set, some worker's window, its
worker's running set), so that the caller can end it. ]]
-- @include keys
-- @include record
-- @include flow

-- Returns the state the task was really in ('reserved' for a task in a window). A running
-- task gives back its slots under caps (flow.lua).
local function takeOut(rec, base, now, id, state, worker)
  if state == 'pending' then
    redis.call('SREM', base .. 'pending', id)
  elseif state == 'scheduled' then
    redis.call('ZREM', base .. 'sched', id)
  elseif state == 'running' then
    if worker and redis.call('ZREM', runningKey(base, worker), id) == 1 then flowLeave(rec, base, now, { id }) end
  elseif state == 'queued' then
    if redis.call('ZREM', base .. 'ready', id) == 0 then
      -- Not in the ready set: reserved in one of the workers' windows.
      for _, w in ipairs(redis.call('SMEMBERS', base .. 'workers')) do
        if redis.call('ZREM', windowKey(base, w), id) == 1 then return 'reserved' end
      end
      -- Or held back by a limit (flow.lua): every instance holding tasks is in fc:due. Left
      -- there, a later release would put the ended task back in the ready set.
      for _, inst in ipairs(redis.call('ZRANGE', base .. 'fc:due', 0, -1)) do
        local heldKey = flowHeldKey(base, inst)
        if redis.call('ZREM', heldKey, id) == 1 then
          if redis.call('EXISTS', heldKey) == 0 then redis.call('ZREM', base .. 'fc:due', inst) end
          break
        end
      end
    end
  end
  return state
end
