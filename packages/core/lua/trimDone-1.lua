--[[ trimDone-1.lua — retention: deletes terminal tasks older than their
state's age limit, and the oldest beyond its count limit, trims the event
stream, and forgets fair-group lanes that hold nothing (includes/lanes.lua).

KEYS[1] events     {p:q}:events       stream
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] limit      tasks to delete at most per state and call
ARGV[5] succeededAgeMs  delete succeeded tasks that ended longer ago (ms)
ARGV[6] succeededMax    keep at most this many succeeded tasks
ARGV[7] failedAgeMs     the same for failed,
ARGV[8] failedMax
ARGV[9] expiredAgeMs    expired
ARGV[10] expiredMax
ARGV[11] cancelledAgeMs and cancelled tasks
ARGV[12] cancelledMax
Returns the number of tasks deleted.
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include lanes

local base, now, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[4])
local deleted = 0
for i, state in ipairs({ 'succeeded', 'failed', 'expired', 'cancelled' }) do
  local age, max = tonumber(ARGV[3 + 2 * i]), tonumber(ARGV[4 + 2 * i])
  local key = doneKey(base, state)
  local old = redis.call('ZRANGEBYSCORE', key, '-inf', now - age, 'LIMIT', 0, limit)
  if #old > 0 then
    bulk('ZREM', key, old)
    deleteTasks(base, old)
    deleted = deleted + #old
  end
  deleted = deleted + capDone(base, state, max, limit)
end
redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[3])
pruneLanes(base, 100)
return deleted
