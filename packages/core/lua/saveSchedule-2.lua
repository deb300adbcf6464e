--[[ saveSchedule-2.lua — creates a schedule, or updates its definition. An
unchanged definition changes nothing (a coordinator that declares the schedules
of its config file on every start keeps their state). A changed one gets a new
version (so that a leader's tick planned on the old one is refused by
recordFire) and the next due time given; a paused schedule stays paused. Both
keys share the fleet tag `{prefix}`.

KEYS[1] index      {p}:schedules      zset schedule id -> next due time (ms; +inf while paused)
KEYS[2] schedule   {p}:schedule:<id>  hash: def, version, next, last, fired, paused, lastTask, …
ARGV[1] id         schedule id
ARGV[2] def        the definition, JSON
ARGV[3] next       its first due time after now (ms)
ARGV[4] now        ms since the epoch
Returns 1 created, 2 updated, 0 unchanged.
]]
local id, def, nextDue, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local old = redis.call('HGET', KEYS[2], 'def')
if old == def then return 0 end
if old then
  redis.call('HINCRBY', KEYS[2], 'version', 1)
  redis.call('HSET', KEYS[2], 'def', def, 'updatedAt', now)
  if redis.call('HGET', KEYS[2], 'paused') ~= '1' then
    redis.call('HSET', KEYS[2], 'next', nextDue)
    redis.call('ZADD', KEYS[1], nextDue, id)
  end
  return 2
end
redis.call('HSET', KEYS[2], 'def', def, 'version', 1, 'next', nextDue, 'fired', 0, 'paused', 0,
  'createdAt', now, 'updatedAt', now)
redis.call('ZADD', KEYS[1], nextDue, id)
return 1
