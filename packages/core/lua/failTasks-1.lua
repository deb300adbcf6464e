--[[ failTasks-1.lua — a worker reports failed attempts. Fenced like
completeTasks. Each accepted failure retries with backoff (scheduled, or
queued when the delay is 0), or fails when retries are exhausted or the
error is permanent, or expires when the retry would fall on or past the
deadline. Dependents of a task that ends are cancelled.

KEYS[1] running    {p:q}:run:<w>      zset id → attempt
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] worker     worker id
ARGV[5] seed       random seed for the backoff jitter
ARGV[6..]          6 values per task: id, attempt, message, reason, permanent, retryAfter
                   (the error message; reason: timeout, handler_error,
                   unknown_task_type, …, `worker_lost` retries at once, ahead of
                   its priority; permanent: '1' or '0'; retryAfter: ms, or '' —
                   a handler's RateLimitedError: the task waits that long,
                   scheduled, and the attempt does not count against its retries)
Returns one value per task: the state it moved to (scheduled, queued, failed,
expired), or '' when refused by the fence.
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include attempt
-- @include flow
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
math.randomseed(tonumber(ARGV[5]))
local ids = {}
for o = 6, #ARGV, 6 do ids[#ids + 1] = ARGV[o] end
local fence = redis.call('ZMSCORE', KEYS[1], unpack(ids))
local out, fenced = {}, 0
for i, id in ipairs(ids) do
  local o = 6 + (i - 1) * 6
  local attempt = tonumber(ARGV[o + 1])
  if fence[i] and tonumber(fence[i]) == attempt then
    redis.call('ZREM', KEYS[1], id)
    flowLeave(rec, base, now, { id }) -- before the retry below may queue it again
    local reason, retryAfter = ARGV[o + 3], tonumber(ARGV[o + 5])
    if retryAfter then
      out[i] = deferAttempt(rec, base, now, id, attempt, retryAfter, worker)
    else
      out[i] = failAttempt(rec, base, now, id, attempt, ARGV[o + 2], reason, ARGV[o + 4] == '1', worker, reason == 'worker_lost')
    end
  else
    fenced = fenced + 1
    out[i] = ''
  end
end
if fenced > 0 then count(rec, 'fenced', fenced) end
flush(rec, base, now, maxLen)
return out
