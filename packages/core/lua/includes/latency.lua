--[[ latency.lua — the end-to-end latency histogram's buckets (ms). Must
agree with LATENCY_BOUNDS_MS in src/engine/latency.ts (a test checks it). ]]
local LATENCY_BOUNDS = { 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000 }
local function latencyBucket(ms)
  for _, b in ipairs(LATENCY_BOUNDS) do
    if ms <= b then return 'lat_le_' .. b end
  end
  return 'lat_le_inf'
end
