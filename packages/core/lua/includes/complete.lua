--[[ complete.lua — a worker reports tasks that succeeded. Fenced: a task is
accepted only if it is in this worker's running set with this very attempt
number; a refused report changes nothing but the `fenced` counter. Stores the
result, releases dependents, counts the end-to-end latency (when given) in
the latency histogram, and keeps the succeeded set within its retention count.
`args` (the ARGV) from `first` on: 4 values per task (id, attempt, result JSON, latency
in ms or ''), `n` tasks. Returns one code per task: 1 accepted, 0 refused. ]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include latency
-- @include flow
-- @include plain
local function completeBatch(rec, base, now, worker, runningKey, succeededKey, keep, args, first, n)
  local out = {}
  if n == 0 then return out end
  local ids = {}
  for i = 0, n - 1 do ids[i + 1] = args[first + i * 4] end
  local fence = redis.call('ZMSCORE', runningKey, unpack(ids))
  local accepted, done, nAccepted, fenced = {}, {}, 0, 0
  -- Latency buckets go straight into the record (it sums them): no tables of their own.
  local timed, latencySum = false, 0
  local nowArg = int(now)
  -- Per task only what differs: the key prefix is built once, and the lists count themselves
  -- (`#` on a growing table is a search, per append).
  local taskPrefix = taskKey(base, '')
  for i = 1, n do
    local o = first + (i - 1) * 4
    -- The fence: attempt numbers are integers, written and read back as '%d' strings.
    local attempt = fence[i]
    if attempt and attempt == args[o + 1] then
      local id = ids[i]
      local latency = tonumber(args[o + 3])
      if latency then
        count(rec, latencyBucket(latency), 1)
        timed = true
        latencySum = latencySum + latency
      end
      redis.call('HSET', taskPrefix .. id, 's', 'succeeded', 'r', args[o + 2], 'ft', nowArg)
      nAccepted = nAccepted + 1
      accepted[nAccepted] = id
      done[2 * nAccepted - 1] = nowArg; done[2 * nAccepted] = id
      out[i] = 1
    else
      fenced = fenced + 1
      out[i] = 0
    end
  end
  if nAccepted > 0 then
    if timed then count(rec, 'lat_sum_ms', latencySum) end
    bulk('ZREM', runningKey, accepted)
    -- Asked before flowLeave: a plain queue has no limits to leave, and no deadlines or dependents.
    local plain = plainQueue(rec, base)
    flowLeave(rec, base, now, accepted)
    bulk('ZADD', succeededKey, done)
    -- Ended tasks leave the deadline index (skipped, at O(1), when no task has a deadline).
    if not plain and redis.call('ZCARD', base .. 'dl') > 0 then bulk('ZREM', base .. 'dl', accepted) end
    note(rec, 'succeeded', table.concat(accepted, ' '), nil, worker)
    count(rec, 'succeeded', nAccepted)
    -- Dependents: looked up only when some task of the queue has any (SCARD is O(1)).
    if not plain and redis.call('SCARD', base .. 'parents') > 0 then
      local parents = redis.call('SMISMEMBER', base .. 'parents', unpack(accepted))
      for i, isParent in ipairs(parents) do
        if isParent == 1 then releaseDependents(rec, base, now, accepted[i]) end
      end
    end
    capDone(base, 'succeeded', keep, 1000, plain)
  end
  if fenced > 0 then count(rec, 'fenced', fenced) end
  return out
end
