--[[ lanes.lua — fair groups (docs/flow-control.md). The tasks of a queue line up in lanes, one
per group (tasks without a group form one lane, ''), and lanes take turns: the sequence part of a
ready score is a virtual time, and a lane's next task gets the step after the later of its lane's
last task and the front of the ready set. A group that floods the queue lines up behind its own
tasks; a group that comes later starts at the front and alternates with it. Priority stays strict
(the band of the score); within a priority, groups take turns.
Until the queue's first task with a group there are no lanes (`{p:q}:lanes` absent) and the
sequence is the plain FIFO counter `{p:q}:seq`. What a call learned is kept in `rec.lanes`
(state per call, like the rest of the record: record.lua). ]]
-- @include keys

-- The sequence of the first task in the ready set that holds a real place (seq 0 is the front
-- that recovered and handed-back tasks take: it says nothing about how far the queue has got).
local function frontSeq(base)
  local ready = base .. 'ready'
  local front = redis.call('ZRANGE', ready, 0, 0, 'WITHSCORES')
  if not front[2] then return 0 end
  local score = tonumber(front[2])
  local seq = math.fmod(score, PRIORITY_BAND)
  if seq > 0 then return seq end
  local band = score - seq
  local next = redis.call('ZRANGEBYSCORE', ready, '(' .. string.format('%.0f', band), '(' .. string.format('%.0f', band + PRIORITY_BAND), 'WITHSCORES', 'LIMIT', 0, 1)
  if not next[2] then return 0 end
  return math.fmod(tonumber(next[2]), PRIORITY_BAND)
end

-- The call's lane state, or false when the queue has no lanes and `group` does not start them.
local function laneState(rec, base, group)
  local st = rec.lanes
  if st == nil then
    st = false
    if redis.call('EXISTS', base .. 'lanes') == 1 then st = { front = frontSeq(base), last = {} } end
    rec.lanes = st
  end
  if not st and group then
    -- The first group: the tasks without one become the lane '' at the plain counter's place.
    st = { front = frontSeq(base), last = { [''] = tonumber(redis.call('GET', base .. 'seq')) or 0 } }
    redis.call('HSET', base .. 'lanes', '', int(st.last['']))
    rec.lanes = st
  end
  return st
end

-- The sequence number of the next task of `group` (nil: no group) to enter the ready set.
local function nextSeq(rec, base, group)
  local st = laneState(rec, base, group)
  if not st then return redis.call('INCR', base .. 'seq') end
  local lane = group or ''
  local last = st.last[lane]
  if not last then last = tonumber(redis.call('HGET', base .. 'lanes', lane)) or 0 end
  local seq = math.max(st.front, last) + 1
  st.last[lane] = seq
  redis.call('HSET', base .. 'lanes', lane, int(seq))
  return seq
end

-- Whether the queue has lanes: then every task's sequence comes from nextSeq.
local function hasLanes(rec, base)
  return laneState(rec, base, nil) ~= false
end

-- Forgets up to `sample` lanes (picked at random) that hold no waiting task: a lane whose last
-- task is at or before the front would get the same next number without its entry, and with
-- nothing queued or held back (flow.lua) every lane is such. The lane '' stays, so that a queue
-- that had lanes keeps them. Returns how many went.
local function pruneLanes(base, sample)
  local key = base .. 'lanes'
  if redis.call('HLEN', key) <= 1 then return 0 end
  local front = frontSeq(base)
  if front == 0 and redis.call('EXISTS', base .. 'ready', base .. 'fc:due') == 0 then front = math.huge end
  local picked = redis.call('HRANDFIELD', key, sample, 'WITHVALUES')
  local gone = {}
  for i = 1, #picked, 2 do
    if picked[i] ~= '' and (tonumber(picked[i + 1]) or 0) <= front then gone[#gone + 1] = picked[i] end
  end
  if #gone > 0 then redis.call('HDEL', key, unpack(gone)) end
  return #gone
end
