--[[ acquireLease-2.lua — the coordinator leader lease. Takes the lease when
nobody holds it (with a new fencing epoch), or renews it when the caller
already holds it. Both keys share the fleet tag `{prefix}`.

KEYS[1] lease      {p}:leader         string "<holder> <epoch>", expires after the lease time
KEYS[2] epoch      {p}:leader:epoch   counter: one more each time the lease changes hands
ARGV[1] holder     coordinator id
ARGV[2] leaseMs    lease time, ms
Returns the holder's epoch (> 0) when it holds the lease now; when another
does, minus the ms left on that lease (-1 at least), so that a standby can
try again the moment it lapses.
]]
local current = redis.call('GET', KEYS[1])
if current then
  local holder, epoch = string.match(current, '^(%S+) (%d+)$')
  if holder == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(epoch)
  end
  return -math.max(1, redis.call('PTTL', KEYS[1]))
end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. epoch, 'PX', ARGV[2])
return epoch
