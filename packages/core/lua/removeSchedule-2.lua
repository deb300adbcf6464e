--[[ removeSchedule-2.lua — deletes a schedule. Runs it already submitted are
tasks like any other and stay. Both keys share the fleet tag `{prefix}`.

KEYS[1] index      {p}:schedules      zset schedule id -> next due time
KEYS[2] schedule   {p}:schedule:<id>  hash of the schedule
ARGV[1] id         schedule id
Returns 1 when deleted, 0 when there was no such schedule.
]]
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('DEL', KEYS[2])
