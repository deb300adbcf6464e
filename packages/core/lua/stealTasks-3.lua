--[[ stealTasks-3.lua — an idle worker takes up to `max` unstarted tasks from
the back of a peer's window (the lowest priority, newest end). Started tasks
are never in a window, so they are never stolen. A stolen task past its
deadline is expired instead.

KEYS[1] victim     {p:q}:win:<victim> zset id → readyScore
KEYS[2] window     {p:q}:win:<thief>  zset id → readyScore
KEYS[3] workers    {p:q}:workers      set of worker ids with tasks here
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] thief      worker id of the stealing worker
ARGV[5] victim     worker id of the peer
ARGV[6] max        tasks to take at most
Returns 7 values per task as claimTasks (started always 0), without nextDue.
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include handout

local base, now, maxLen, thief = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local popped = redis.call('ZPOPMAX', KEYS[1], tonumber(ARGV[6]))
local out, window, ids = {}, {}, {}
for i = 1, #popped, 2 do
  local id, score = popped[i], popped[i + 1]
  if handout(base, now, out, id, score, false, thief) then
    window[#window + 1] = score; window[#window + 1] = id
    ids[#ids + 1] = id
  end
end
if #window > 0 then
  bulk('ZADD', KEYS[2], window)
  redis.call('SADD', KEYS[3], thief)
  note('reserved', table.concat(ids, ' '), 'stolen_from:' .. ARGV[5], thief)
  count('steals', #ids)
end
flush(base, now, maxLen)
return out
