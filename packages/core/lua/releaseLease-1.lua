--[[ releaseLease-1.lua — gives the leader lease up, if the caller holds it
with this epoch (a clean shutdown hands leadership over at once).

KEYS[1] lease      {p}:leader         string "<holder> <epoch>"
ARGV[1] holder     coordinator id
ARGV[2] epoch      the epoch the holder got
Returns 1 when released, 0 when the caller did not hold it.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] .. ' ' .. ARGV[2] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
