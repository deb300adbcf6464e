--[[ recordFire-4.lua — records what a tick of the leading coordinator did
with a schedule's due times: the runs it submitted (each with the idempotency
key `schedule:<id>:<due time>`, so a run submitted twice is one task), the
runs skipped, and the next due time. Fenced: only the holder of the lease with
this epoch may record, and only on the version and next due time it planned
from; a coordinator that lost the lease mid-tick, or planned on a schedule
changed meanwhile, records nothing. A manual run (run-now: empty holder) is
recorded without fence and leaves the next due time alone. All keys share the
fleet tag `{prefix}`.

KEYS[1] index      {p}:schedules      zset schedule id -> next due time
KEYS[2] schedule   {p}:schedule:<id>  hash of the schedule
KEYS[3] lease      {p}:leader         string "<holder> <epoch>"
KEYS[4] events     {p}:events         fleet event stream
ARGV[1] id         schedule id
ARGV[2] holder     the leader's id; empty for a manual run
ARGV[3] epoch      the leader's epoch
ARGV[4] version    the schedule version the tick planned on
ARGV[5] expectNext the next due time the tick planned from (ms)
ARGV[6] next       the next due time after this tick (ms; empty: none)
ARGV[7] fired      runs submitted by this tick
ARGV[8] last       the last due time handled (ms; empty: none)
ARGV[9] lastTask   the task of the last run submitted (empty: none)
ARGV[10] lastQueue its queue
ARGV[11] outcome   how the last handled due time ended: fired, skipped-overlap, missed
ARGV[12] now       ms since the epoch
ARGV[13] maxLen    approximate length cap of the event stream
ARGV[14..] 2 values per event: kind, detail
Returns 1 when recorded, 0 when fenced (not the lease holder with this epoch),
-1 when there is no such schedule, 2 when the schedule changed since the tick read it.
]]
local id, holder, epoch = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
if holder ~= '' then
  if redis.call('GET', KEYS[3]) ~= holder .. ' ' .. epoch then return 0 end
  local s = redis.call('HMGET', KEYS[2], 'version', 'next')
  if s[1] ~= ARGV[4] or s[2] ~= ARGV[5] then return 2 end
  redis.call('HSET', KEYS[2], 'next', ARGV[6])
  if ARGV[6] == '' then redis.call('ZREM', KEYS[1], id) else redis.call('ZADD', KEYS[1], ARGV[6], id) end
end
local fired = tonumber(ARGV[7])
if fired > 0 then redis.call('HINCRBY', KEYS[2], 'fired', fired) end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[2], 'last', ARGV[8], 'lastOutcome', ARGV[11]) end
if ARGV[9] ~= '' then redis.call('HSET', KEYS[2], 'lastTask', ARGV[9], 'lastQueue', ARGV[10]) end
for i = 14, #ARGV, 2 do
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[13], '*', 'kind', ARGV[i], 'schedule', id, 'detail', ARGV[i + 1], 'at', ARGV[12])
end
return 1
