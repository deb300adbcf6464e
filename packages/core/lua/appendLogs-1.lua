--[[ appendLogs-1.lua — stores the log lines of ended attempts with their tasks.
The worker sends the lines an attempt wrote (ctx.log) with its outcome, once
per tick and queue for every attempt that ended (no call per line). Each task
keeps, in its hash field `lg` (JSON: [{at, attempt, message}, …], oldest
first), the newest lines within both bounds: at most maxLines lines and
maxBytes bytes of messages. The field goes with the task's hash, so retention
deletes it with the task. Lines for a task whose hash is gone (deleted by
retention) or whose stored attempt count is below the attempt's (damaged or
foreign data) are dropped: nothing is written for them.

KEYS[1] events     {p:q}:events       stream (not written: it names the queue's slot)
ARGV[1] base       `{p:q}:`
ARGV[2] maxLines   lines kept per task at most
ARGV[3] maxBytes   bytes of messages kept per task at most
ARGV[4..]          3 values per attempt: id, attempt, lines
                   (lines: a JSON array of [at ms, message] pairs, oldest first)
Returns the number of attempts whose lines were stored.
]]
-- @include keys

local base, maxLines, maxBytes = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local stored = 0
for o = 4, #ARGV, 3 do
  local tkey, attempt = taskKey(base, ARGV[o]), tonumber(ARGV[o + 1])
  local f = redis.call('HMGET', tkey, 'a', 'lg')
  local ran = tonumber(f[1])
  if ran and attempt and ran >= attempt then
    local list = {}
    if f[2] then
      local ok, old = pcall(cjson.decode, f[2])
      if ok and type(old) == 'table' then list = old end
    end
    for _, line in ipairs(cjson.decode(ARGV[o + 2])) do
      list[#list + 1] = { at = line[1], attempt = attempt, message = tostring(line[2]) }
    end
    -- The newest lines that fit both bounds.
    local first, bytes = #list + 1, 0
    while first > 1 and #list - first + 1 < maxLines do
      local size = #tostring(list[first - 1].message)
      if bytes + size > maxBytes then break end
      bytes = bytes + size
      first = first - 1
    end
    if first <= #list then
      local kept = {}
      for i = first, #list do kept[#kept + 1] = list[i] end
      redis.call('HSET', tkey, 'lg', cjson.encode(kept))
      stored = stored + 1
    end
  end
end
return stored
