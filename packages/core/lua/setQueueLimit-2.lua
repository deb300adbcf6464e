--[[ setQueueLimit-2.lua — an operator sets or clears a rate limit and/or a concurrency cap of a
queue, for one scope (flow.lua): `queue`, `type:<T>`, `group:<G>` or `each-group`.
Setting keeps the part not given (a rate set leaves the cap as it was, and the reverse). From
then on the queue hands out only through the claim, which checks every limit: what workers had
reserved goes back to the ready set, idle registrations are dropped, and tasks held back under
the scope are looked at again at the next claim. Clearing puts every task held back under the
scope straight back in the ready set and forgets its running sets and start logs; the queue
stops being limited when its last scope goes. A scope left with a rate but no cap forgets its
running sets too (a cap set again later counts only what starts under it).

KEYS[1] flow       {p:q}:flow         hash scope → '<n> <perMs> <concurrency>'
KEYS[2] workers    {p:q}:workers      set of worker ids with tasks here
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] scope      queue | type:<T> | group:<G> | each-group
ARGV[5] rateN      starts per window ('': keep as it is, '0': no rate)
ARGV[6] perMs      the window (ms) ('' with rateN '')
ARGV[7] concurrency  at most running at once ('': keep, '0': no cap)
ARGV[8] clear      '1': clear the scope (the three above are ignored)
Returns { the scope's value now ('' when cleared or left with no limit), reserved tasks put
  back, held tasks put back }.
]]
-- @include keys
-- @include record
-- @include unreserve
-- @include flow
local rec = newRecord()
local base, now, maxLen, scope = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]

-- The limit instances of the scope that hold anything (each-group: one per group).
local function instancesOfScope()
  if scope ~= 'each-group' then return { scope } end
  local seen, list = {}, {}
  local function add(inst)
    if string.sub(inst, 1, 5) == 'each:' and not seen[inst] then seen[inst] = true; list[#list + 1] = inst end
  end
  for _, inst in ipairs(redis.call('SMEMBERS', base .. 'fc:insts')) do add(inst) end
  for _, inst in ipairs(redis.call('ZRANGE', base .. 'fc:due', 0, -1)) do add(inst) end
  return list
end

local old = parseLimit(redis.call('HGET', KEYS[1], scope)) or { n = 0, per = 0, conc = 0 }
local n, per, conc = old.n, old.per, old.conc
if ARGV[5] ~= '' then n, per = tonumber(ARGV[5]), tonumber(ARGV[6]) end
if ARGV[7] ~= '' then conc = tonumber(ARGV[7]) end
if n == 0 then per = 0 end
local value, back, released = '', 0, 0
if ARGV[8] == '1' or (n == 0 and conc == 0) then
  redis.call('HDEL', KEYS[1], scope)
  for _, inst in ipairs(instancesOfScope()) do
    local held = redis.call('ZRANGE', flowHeldKey(base, inst), 0, -1, 'WITHSCORES')
    local ready = {}
    for i = 1, #held, 2 do ready[#ready + 1] = held[i + 1]; ready[#ready + 1] = held[i] end
    if #ready > 0 then bulk('ZADD', base .. 'ready', ready) end
    released = released + #held / 2
    redis.call('DEL', flowHeldKey(base, inst), flowRunKey(base, inst), flowLogKey(base, inst))
    redis.call('ZREM', base .. 'fc:due', inst)
    redis.call('SREM', base .. 'fc:insts', inst)
  end
else
  value = int(n) .. ' ' .. int(per) .. ' ' .. int(conc)
  redis.call('HSET', KEYS[1], scope, value)
  back = unreserveAll(rec, base, KEYS[2], 'limited')
  for _, inst in ipairs(instancesOfScope()) do
    if redis.call('ZSCORE', base .. 'fc:due', inst) then redis.call('ZADD', base .. 'fc:due', int(now), inst) end
    -- No cap (any more): its running set goes. Ends no longer take tasks out of it (flowLeave
    -- looks only at caps that exist), so kept it would count them for a cap set again later.
    if conc == 0 then redis.call('DEL', flowRunKey(base, inst)) end
  end
end
wake(base)
flush(rec, base, now, maxLen)
return { value, back, released }
