--[[ attempt.lua — a failed attempt: expire when the deadline has passed
(whatever the error: an aborted attempt past its deadline ends `expired`);
fail when retries are exhausted or the error is permanent; else retry with
backoff (exponential with full jitter, capped), never scheduled at or past
the deadline (it expires instead); a lost attempt retries at once, in front. The caller has checked the fence
and removed the task from the worker's running set.
The calling script sets math.randomseed (the backoff jitter). ]]
-- @include keys
-- @include record
-- @include lifecycle
local MAX_ERROR_HISTORY = 10

-- A task's stored spec (`d`, src/task/codec.ts) leaves out the default backoff;
-- the fallbacks here are that default (DEFAULT_BACKOFF in src/task/validate.ts).
local function backoffDelay(backoff, attempt)
  local base = tonumber(backoff and backoff.baseMs) or 1000
  local cap = tonumber(backoff and backoff.maxMs) or 3600000
  local delay = base
  if not backoff or backoff.type ~= 'fixed' then delay = base * 2 ^ (attempt - 1) end
  if delay > cap then delay = cap end
  if not backoff or backoff.jitter ~= false then delay = math.random() * delay end
  return math.floor(delay)
end

-- `json` decoded when it holds a JSON object or array, else `fallback`.
local function decodeOr(json, fallback)
  if not json then return fallback end
  local ok, v = pcall(cjson.decode, json)
  if ok and type(v) == 'table' then return v end
  return fallback
end

-- Returns the state the task moved to. A `lost` attempt (its worker died or
-- lost track of it) counts against the retries but retries at once, ahead of
-- its priority: it had already waited its turn.
local function failAttempt(rec, base, now, id, attempt, message, reason, permanent, worker, lost)
  local tkey = taskKey(base, id)
  local f = redis.call('HMGET', tkey, 'd', 'dl', 'eh', 'p')
  if not f[1] then return 'missing' end
  -- Damaged stored JSON (a corrupt task is failed through here) reads as empty: no retries, no history.
  local spec = decodeOr(f[1], {})
  local err = cjson.encode({ message = message, reason = reason, attempt = attempt, at = now })
  local history = decodeOr(f[3], {})
  history[#history + 1] = cjson.decode(err)
  while #history > MAX_ERROR_HISTORY do table.remove(history, 1) end
  redis.call('HSET', tkey, 'e', err, 'eh', cjson.encode(history))
  count(rec, 'attempts_failed', 1)
  local deadline = tonumber(f[2])
  if deadline and now >= deadline then
    finish(rec, base, now, id, 'expired', 'deadline', nil, worker)
    return 'expired'
  end
  if permanent or attempt > (tonumber(spec.r) or 0) then
    finish(rec, base, now, id, 'failed', reason, nil, worker)
    return 'failed'
  end
  if lost then
    count(rec, 'retried', 1)
    enqueue(rec, base, id, f[4], reason, worker, true, f[1])
    wake(base)
    return 'queued'
  end
  local delay = backoffDelay(spec.b, attempt)
  if deadline and now + delay >= deadline then
    finish(rec, base, now, id, 'expired', 'deadline', nil, worker)
    return 'expired'
  end
  count(rec, 'retried', 1)
  if delay > 0 then
    redis.call('ZADD', base .. 'sched', now + delay, id)
    redis.call('HSET', tkey, 's', 'scheduled', 'rs', 'retry')
    note(rec, 'scheduled', id, 'retry', worker)
    wake(base)
    return 'scheduled'
  end
  enqueue(rec, base, id, f[4], 'retry', worker, false, f[1])
  wake(base)
  return 'queued'
end

-- A handler said "rate limited, retry after `delay` ms" (RateLimitedError): the task waits,
-- scheduled, and the attempt is given back (the count goes down by one), so that it does not
-- burn a retry. Past its deadline it expires instead. Returns the state it moved to.
local function deferAttempt(rec, base, now, id, attempt, delay, worker)
  local tkey = taskKey(base, id)
  local deadline = tonumber(redis.call('HGET', tkey, 'dl'))
  if deadline and now + delay >= deadline then
    finish(rec, base, now, id, 'expired', 'deadline', nil, worker)
    return 'expired'
  end
  redis.call('HSET', tkey, 's', 'scheduled', 'rs', 'rate_limited', 'a', int(math.max(0, attempt - 1)))
  redis.call('HDEL', tkey, 'w', 'st')
  redis.call('ZADD', base .. 'sched', now + delay, id)
  note(rec, 'scheduled', id, 'rate_limited', worker)
  count(rec, 'rate_limited', 1)
  wake(base)
  return 'scheduled'
end
