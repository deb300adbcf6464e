--[[ bulkTasks-1.lua — one chunk of an operator's bulk action: of the given
task ids (read by the caller from one state's index), those that still match
the filter are retried, cancelled or deleted, each by the same rules as the
one-task scripts (includes/operator.lua); `count` only counts them (a dry
run). Every task is checked again here, so a chunk that is run twice, or a
task that changed since its id was read, is only acted on while it matches:
an interrupted bulk action can simply be run again.

KEYS[1] events     {p:q}:events       stream
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] action     retry, cancel, delete or count
ARGV[5] state      the state a task must be in (reserved: stored as queued)
ARGV[6] type       its type, or '' for any
ARGV[7] group      its group (the spec's `g`), or '' for any
ARGV[8] priority   its priority 1-10, or '' for any
ARGV[9] after      created after this time (ms, exclusive), or ''
ARGV[10] before    created before this time (ms, exclusive), or ''
ARGV[11] endedBy   an ended task must have ended at or before this (ms), or '': what the action itself ended again is not taken twice
ARGV[12] reason    the reason a cancel stores
ARGV[13..] 1 value per task: id
Returns { matched, done, removed, k, worker1, id1, …, workerk, idk }: how
many ids matched, on how many the action was done (the rest were refused:
a retry whose dependency or deadline forbids it), how many left the state's
index (so the caller's offset moves on by the ids read minus these), then
the running tasks that were cancelled or deleted with the worker to tell.
]]
-- @include keys
-- @include record
-- @include operator
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen, action = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local want, wantType, wantGroup = ARGV[5], ARGV[6], ARGV[7]
local wantPriority, after, before = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local endedBy, reason = tonumber(ARGV[11]), ARGV[12]
local stored = want == 'reserved' and 'queued' or want

-- Whether the task's hash fields (s, d, ft) match the filter.
local function matches(f)
  if f[1] ~= stored then return false end
  if endedBy and TERMINAL[stored] and (tonumber(f[3]) or 0) > endedBy then return false end
  local ok, spec = pcall(cjson.decode, f[2] or '')
  if not ok or type(spec) ~= 'table' then
    -- A task whose spec cannot be read matches only a filter that asks nothing of its spec.
    return wantType == '' and wantGroup == '' and not wantPriority and not after and not before
  end
  if wantType ~= '' and spec.t ~= wantType then return false end
  if wantGroup ~= '' and spec.g ~= wantGroup then return false end
  if wantPriority and tonumber(spec.p) ~= wantPriority then return false end
  local created = tonumber(spec.c) or 0
  if after and created <= after then return false end
  if before and created >= before then return false end
  return true
end

local matched, done, removed = 0, 0, 0
local told = {}
for i = 13, #ARGV do
  local id = ARGV[i]
  local f = redis.call('HMGET', taskKey(base, id), 's', 'd', 'ft')
  if matches(f) then
    matched = matched + 1
    local r
    if action == 'retry' then
      r = retryOne(rec, base, now, id)
    elseif action == 'cancel' then
      r = cancelOne(rec, base, now, id, reason)
    elseif action == 'delete' then
      r = deleteOne(rec, base, now, id)
    end
    if r and r[1] == 1 then
      done = done + 1
      removed = removed + 1
      if action ~= 'retry' and r[3] ~= '' then
        told[#told + 1] = r[3]
        told[#told + 1] = id
      end
    end
  end
end
flush(rec, base, now, maxLen)
local reply = { matched, done, removed, #told / 2 }
for _, v in ipairs(told) do reply[#reply + 1] = v end
return reply
