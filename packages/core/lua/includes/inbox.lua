--[[ inbox.lua — taking back what a submit handed to a worker that will not
run it (it paused, stopped, or died): the tasks of its inbox messages (and
any the worker names) leave its running set and go back to the front of
their priority in the ready set, as if never started — the attempt does not
count. Fenced: only a task still in the running set with that attempt. ]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include handout
-- @include flow

-- Appends (id, attempt) pairs of an inbox message (see handoff.lua) to `ids` and `attempts`.
-- A message that is not a handoff (the '0' a stopping worker pushes to wake itself) adds none.
local function inboxTasks(message, ids, attempts)
  local values, pos = {}, 1
  while true do
    local i = string.find(message, '\n', pos, true)
    if not i then values[#values + 1] = string.sub(message, pos); break end
    values[#values + 1] = string.sub(message, pos, i - 1)
    pos = i + 1
  end
  for v = 1, #values - HANDOUT_WIDTH + 1, HANDOUT_WIDTH do
    ids[#ids + 1] = values[v]
    attempts[#attempts + 1] = values[v + 2]
  end
end

-- Takes the worker off the idle hash and empties its inbox, then un-starts the tasks of the
-- inbox and those in `ids`/`attempts`. Returns how many went back to the ready set.
local function takeBackHandoffs(rec, base, now, worker, ids, attempts)
  redis.call('HDEL', base .. 'idle', worker)
  local inbox = inboxKey(base, worker)
  local messages = redis.call('LRANGE', inbox, 0, -1)
  if #messages > 0 then
    redis.call('DEL', inbox)
    for _, m in ipairs(messages) do inboxTasks(m, ids, attempts) end
  end
  if #ids == 0 then return 0 end
  local running = runningKey(base, worker)
  local fence = redis.call('ZMSCORE', running, unpack(ids))
  local back, seen = 0, {}
  for i, id in ipairs(ids) do
    -- Named by the worker and still in the inbox too: once.
    if fence[i] and fence[i] == attempts[i] and not seen[id] then
      seen[id] = true
      redis.call('ZREM', running, id)
      flowLeave(rec, base, now, { id })
      local tkey = taskKey(base, id)
      redis.call('HSET', tkey, 'a', int(tonumber(attempts[i]) - 1))
      redis.call('HDEL', tkey, 'w', 'st')
      enqueue(rec, base, id, redis.call('HGET', tkey, 'p'), 'handed_back', worker, true)
      back = back + 1
    end
  end
  if back > 0 then wake(base) end
  return back
end
