--[[ dedup.lua — whether an idempotency key still holds a task (docs/dedup.md).
A key holds the task it names until that task is deleted by retention; with a
time to live (the task's field `ix`, the ms at which the key lapses) no
longer than that; and in a debounce mode only while that task waits to start
(pending, scheduled, or queued in the ready set: a reserved task's payload is
already in a worker's window). A key that no longer holds is taken over by the
next task submitted with it. ]]
-- @include keys

-- True while task `id`, in stored state `s`, has not been handed to a worker.
local function waitingToStart(base, id, s)
  if s == 'pending' or s == 'scheduled' then return true end
  return s == 'queued' and redis.call('ZSCORE', base .. 'ready', id) ~= false
end

-- The task that key `ikey` holds and its state, or nil when the key is free.
-- `inBatch`: the task of the same batch that took the key already (it holds it:
-- written by this very call, it has not started). `mode`: the call's debounce mode.
local function keyHolder(base, idem, inBatch, ikey, mode, now)
  if inBatch then return inBatch, redis.call('HGET', taskKey(base, inBatch), 's') or 'queued' end
  local id = redis.call('HGET', idem, ikey)
  if not id then return nil end
  local f = redis.call('HMGET', taskKey(base, id), 's', 'ix')
  local lapsesAt = tonumber(f[2])
  if lapsesAt and lapsesAt <= now then return nil end
  if mode ~= '' and not (f[1] and waitingToStart(base, id, f[1])) then return nil end
  return id, f[1] or 'queued'
end
