--[[ latency.lua — the end-to-end latency histogram's buckets (ms) and their
counter names. Must agree with LATENCY_BOUNDS_MS in src/engine/latency.ts
(a test checks both). ]]
local LATENCY_BOUNDS = { 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000 }
-- The counter names, as literals: building them ('lat_le_' .. bound) costs a float
-- formatting each, per task or (for the table) per call.
local LATENCY_NAMES = { 'lat_le_1', 'lat_le_2', 'lat_le_5', 'lat_le_10', 'lat_le_25', 'lat_le_50', 'lat_le_100',
  'lat_le_250', 'lat_le_500', 'lat_le_1000', 'lat_le_2500', 'lat_le_5000', 'lat_le_10000', 'lat_le_30000',
  'lat_le_60000' }
local function latencyBucket(ms)
  for i = 1, #LATENCY_BOUNDS do
    if ms <= LATENCY_BOUNDS[i] then return LATENCY_NAMES[i] end
  end
  return 'lat_le_inf'
end
