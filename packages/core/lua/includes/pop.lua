--[[ pop.lua — takes tasks from the front of the ready set, as ZPOPMIN would,
without the scores no one needs. Redis 7.0 formats every score it replies
with "%.17g" (callgrind: some 2,500 instructions a task, 5 % of a claim of
25), and a task that starts at once never uses its score: the worker orders
only its window by it. The front `start` of a pop come as ZRANGE's ids, each
with the score '0'; only those past them, which a claim may reserve in the
worker's window, keep their ready scores. ]]
-- @include keys
-- @include call

-- The first `max` tasks of `ready`, removed, as ZPOPMIN's reply (id, score, id, score, ...);
-- the first `start` of them with the score '0' (numbers).
local function popReady(ready, max, start)
  if start > max then start = max end
  if start <= 0 then return rcall('ZPOPMIN', ready, max) end
  local head = rcall('ZRANGE', ready, '0', int(start - 1))
  local n = #head
  if n == 0 then return head end
  rcall('ZREMRANGEBYRANK', ready, '0', int(n - 1))
  local out = {}
  for i = 1, n do
    out[2 * i - 1] = head[i]
    out[2 * i] = '0'
  end
  if n < start or max <= start then return out end
  local rest = rcall('ZPOPMIN', ready, max - start)
  for i = 1, #rest do out[2 * n + i] = rest[i] end
  return out
end
