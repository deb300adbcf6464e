--[[ pauseSchedule-2.lua — pauses or resumes a schedule. A paused schedule
fires nothing; resuming starts again at the next due time after now (the due
times in between are not missed runs: nobody wanted them). Both keys share the
fleet tag `{prefix}`.

KEYS[1] index      {p}:schedules      zset schedule id -> next due time (+inf while paused)
KEYS[2] schedule   {p}:schedule:<id>  hash of the schedule
ARGV[1] id         schedule id
ARGV[2] paused     1 to pause, 0 to resume
ARGV[3] next       on resume: the first due time after now (ms)
ARGV[4] now        ms since the epoch
Returns 1 when changed, 0 when it was so already, -1 when there is no such schedule.
]]
local id, paused, nextDue, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
if redis.call('HGET', KEYS[2], 'paused') == paused then return 0 end
redis.call('HINCRBY', KEYS[2], 'version', 1)
redis.call('HSET', KEYS[2], 'paused', paused, 'updatedAt', now)
if paused == '1' then
  redis.call('HSET', KEYS[2], 'next', '')
  redis.call('ZADD', KEYS[1], 'inf', id)
else
  redis.call('HSET', KEYS[2], 'next', nextDue)
  redis.call('ZADD', KEYS[1], nextDue, id)
end
return 1
