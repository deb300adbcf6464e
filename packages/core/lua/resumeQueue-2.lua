--[[ resumeQueue-2.lua — an operator resumes a paused queue: its tasks start
again, and a worker blocked on the queue is woken when work waits (it wakes
the next while work remains).

KEYS[1] paused     {p:q}:paused       string: when it was paused (ms)
KEYS[2] ready      {p:q}:ready        zset id → readyScore
ARGV[1] base       `{p:q}:`
Returns 1 if it was paused and runs now, 0 if it was not paused.
]]
-- @include keys
-- @include record
local was = redis.call('DEL', KEYS[1])
if was == 1 and redis.call('ZCARD', KEYS[2]) > 0 then wake(ARGV[1]) end
return was
