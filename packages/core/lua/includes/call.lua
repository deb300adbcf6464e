--[[ call.lua — redis.call, looked up once. In a function library (src/scripts/library.ts)
a global such as `redis` is not in the library's own globals table: each `redis.call` misses
there, goes through that table's __index metamethod to Redis's API, then reads `call` (about
260 instructions a call, measured with callgrind on Redis 7.0). The lean paths of a lone task
(handoff.lua, quietround.lua and the helpers they use) make some 28 commands a task, 500 tasks
a second, so they call through this local. Redis offers no redis.call while a library loads:
the first command binds it, for as long as the library lives (run as EVAL: for the call). ]]
local rcall
rcall = function(...)
  rcall = redis.call
  return rcall(...)
end
