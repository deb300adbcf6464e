--[[ releaseTasks-2.lua — a worker hands unstarted tasks back: from its
window to the ready set, with their original scores (they keep their place).

KEYS[1] window     {p:q}:win:<w>      zset id → readyScore
KEYS[2] ready      {p:q}:ready        zset id → readyScore
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] worker     worker id
ARGV[5..]          1 value per task: id
                   (the tasks to hand back; none means the whole window)
Returns the number of tasks handed back.
]]
-- @include keys
-- @include record
-- @include lifecycle
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local ids, scores = {}, {}
if #ARGV < 5 then
  local all = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  for i = 1, #all, 2 do ids[#ids + 1] = all[i]; scores[#scores + 1] = all[i + 1] end
else
  local asked = {}
  for o = 5, #ARGV do asked[#asked + 1] = ARGV[o] end
  local present = redis.call('ZMSCORE', KEYS[1], unpack(asked))
  for i, id in ipairs(asked) do
    if present[i] then ids[#ids + 1] = id; scores[#scores + 1] = present[i] end
  end
end
if #ids == 0 then return 0 end
local ready = {}
for i, id in ipairs(ids) do ready[#ready + 1] = scores[i]; ready[#ready + 1] = id end
bulk('ZREM', KEYS[1], ids)
bulk('ZADD', KEYS[2], ready)
note(rec, 'queued', table.concat(ids, ' '), 'released', worker)
wake(base)
flush(rec, base, now, maxLen)
return #ids
