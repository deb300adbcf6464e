--[[ noteOrigin-2.lua — checks (and if need be writes) the origin marker: a
value written once per Redis data set, which a process remembers so that it
can tell "Redis lost its data" (marker gone, or replaced) from "Redis
restarted with its data" (marker still there). See fleet/origin.ts.

KEYS[1] origin     {p}:origin         string, JSON {id, createdAt, losses, lostAt?}
KEYS[2] events     {p}:events         fleet event stream
ARGV[1] known      the marker id the caller remembers, '' when it knows none
ARGV[2] losses     the loss count of the marker it remembers ('0' when none)
ARGV[3] newId      the id to write if a marker must be written
ARGV[4] now        epoch ms
ARGV[5] by         the caller's name (worker or coordinator id), for the event
ARGV[6] seen       the ids of the markers the caller knew before `known`, space-separated ('' when none)
Returns {marker JSON, 1 if this call counted a data loss else 0}.
]]
local current = redis.call('GET', KEYS[1])
local known = ARGV[1]
local knownLosses = tonumber(ARGV[2])
if current then
  if known == '' or known == nil then return {current, 0} end
  local marker = cjson.decode(current)
  if marker.id == known then return {current, 0} end
  -- A data set the caller was on before: it was away (a client sent to a stray, empty node
  -- during a failover), and this one is intact. Rewriting its marker would tell every process
  -- that stayed on it that it was lost.
  if string.find(' ' .. ARGV[6] .. ' ', ' ' .. marker.id .. ' ', 1, true) then return {current, 0} end
  -- Replaced since the caller last looked: counted already if its count went up.
  if tonumber(marker.losses) > knownLosses then return {current, 0} end
end
if known == '' then
  local fresh = cjson.encode({id = ARGV[3], createdAt = tonumber(ARGV[4]), losses = 0})
  redis.call('SET', KEYS[1], fresh)
  return {fresh, 0}
end
local losses = knownLosses + 1
local marker = cjson.encode({id = ARGV[3], createdAt = tonumber(ARGV[4]), losses = losses, lostAt = tonumber(ARGV[4])})
redis.call('SET', KEYS[1], marker)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', '1000', '*', 'kind', 'redis:data-lost', 'id', ARGV[3],
  'previous', known, 'losses', tostring(losses), 'by', ARGV[5])
return {marker, 1}
