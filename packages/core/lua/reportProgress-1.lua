--[[ reportProgress-1.lua — a handler reports progress (0-100) of its running
attempt. Fenced like completeTasks: ignored unless this worker runs this attempt.

KEYS[1] running    {p:q}:run:<w>      zset id → attempt
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] worker     worker id
ARGV[5] id         task id
ARGV[6] attempt    attempt number
ARGV[7] progress   0-100
Returns 1 when recorded, 0 when refused by the fence.
]]
-- @include keys

local fence = redis.call('ZSCORE', KEYS[1], ARGV[5])
if not fence or tonumber(fence) ~= tonumber(ARGV[6]) then return 0 end
redis.call('HSET', taskKey(ARGV[1], ARGV[5]), 'pg', ARGV[7])
redis.call('XADD', ARGV[1] .. 'events', 'MAXLEN', '~', ARGV[3], '*', 's', 'progress', 'ids', ARGV[5], 'p', ARGV[7], 'w', ARGV[4])
return 1
