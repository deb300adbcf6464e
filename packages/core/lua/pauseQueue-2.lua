--[[ pauseQueue-2.lua — an operator pauses a queue: no task of it starts
anywhere until resumeQueue. Submits are still accepted (they wait in the ready
set); running tasks finish. What workers had reserved in their windows goes
back to the ready set, keeping its place, so that nothing reserved starts
either; idle registrations are dropped, so that no submit hands a task to a
worker (claims and registrations check the flag too: includes/claim.lua,
cycleTasks-6.lua).

KEYS[1] paused     {p:q}:paused       string: when it was paused (ms)
KEYS[2] workers    {p:q}:workers      set of worker ids with tasks here
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
Returns { 1 if it was running and is paused now (0 if it was paused already),
  the number of reserved tasks put back in the ready set }.
]]
-- @include keys
-- @include record
-- @include unreserve
local base, now, maxLen = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local rec = newRecord()
local was = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], int(now))
local back = unreserveAll(rec, base, KEYS[2], 'paused')
flush(rec, base, now, maxLen)
return { was == 0 and 1 or 0, back }
