--[[ latency.lua — the end-to-end latency histogram's buckets (ms). Must
agree with LATENCY_BOUNDS_MS in src/engine/latency.ts (a test checks it). ]]
local LATENCY_BOUNDS = { 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000 }
-- Counter names made once per script run, not one string per task.
local LATENCY_NAMES = {}
for i, b in ipairs(LATENCY_BOUNDS) do LATENCY_NAMES[i] = 'lat_le_' .. b end
local function latencyBucket(ms)
  for i = 1, #LATENCY_BOUNDS do
    if ms <= LATENCY_BOUNDS[i] then return LATENCY_NAMES[i] end
  end
  return 'lat_le_inf'
end
