--[[ leaveQueue-3.lua — a worker leaves a queue's worker set, if it holds no
task there (empty window and running set). Called when a worker stops
cleanly, and by the janitor for workers that left the registry; keeps the
set — which counts, stealing and cancellation walk — to the workers that
matter.

KEYS[1] window     {p:q}:win:<w>      zset
KEYS[2] running    {p:q}:run:<w>      zset
KEYS[3] workers    {p:q}:workers      set of worker ids with tasks here
ARGV[1] worker     worker id
ARGV[2] base       `{p:q}:` (for its idle registration and inbox, which go too)
Returns 1 when it left, 0 when it still holds tasks (or was not there).
]]
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
-- Holding no task, its inbox holds no handoff either (a handoff starts its tasks).
redis.call('HDEL', ARGV[2] .. 'idle', ARGV[1])
redis.call('DEL', ARGV[2] .. 'inbox:' .. ARGV[1])
return redis.call('SREM', KEYS[3], ARGV[1])
