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
ARGV[6..]          7 values per task: id, attempt, message, reason, permanent, retryAfter, traceparent
                   (the error message; reason: timeout, handler_error,
                   unknown_task_type, …, `worker_lost` retries at once, ahead of
                   its priority; permanent: '1' or '0'; retryAfter: ms, or '' —
                   a handler's RateLimitedError: the task waits that long,
                   scheduled, and the attempt does not count against its retries;
                   traceparent: '', or, for a task stored without a trace
                   context, its stand-in root's W3C traceparent, sampled or
                   not as the worker decided: stored as the task's trace
                   context, so that later attempts and the coordinator
                   follow that decision — src/telemetry/task-spans.ts)
Returns one value per task: the state it moved to (scheduled, queued, failed,
expired), or '' when refused by the fence.
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include attempt
-- @include flow
local rec = newRecord() -- this call's events and counters (see record.lua)

-- Stores `traceparent` as the trace context (`tr`) in a task's spec `d` when it has none: a key
-- inserted before `g`, which stays last (groupOf in keys.lua), and after `t`, which stays first.
-- Inside a JSON string every quote is escaped, so `"tr":` is found only as a key.
local function adoptTrace(base, id, traceparent)
  if not string.match(traceparent, '^%x%x%-%x+%-%x+%-%x%x$') then return end
  local tkey = taskKey(base, id)
  local d = redis.call('HGET', tkey, 'd')
  if not d or string.find(d, '"tr":', 1, true) then return end
  local tr = ',"tr":{"traceparent":"' .. traceparent .. '"}'
  local g = string.find(d, ',"g":"[%w_.:@-]+"}$')
  if g then
    d = string.sub(d, 1, g - 1) .. tr .. string.sub(d, g)
  elseif string.sub(d, -1) == '}' then
    d = string.sub(d, 1, -2) .. tr .. '}'
  else
    return
  end
  redis.call('HSET', tkey, 'd', d)
end

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
math.randomseed(tonumber(ARGV[5]))
local ids = {}
for o = 6, #ARGV, 7 do ids[#ids + 1] = ARGV[o] end
local fence = redis.call('ZMSCORE', KEYS[1], unpack(ids))
local out, fenced = {}, 0
for i, id in ipairs(ids) do
  local o = 6 + (i - 1) * 7
  local attempt = tonumber(ARGV[o + 1])
  if fence[i] and tonumber(fence[i]) == attempt then
    redis.call('ZREM', KEYS[1], id)
    if ARGV[o + 6] ~= '' then adoptTrace(base, id, ARGV[o + 6]) end
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
