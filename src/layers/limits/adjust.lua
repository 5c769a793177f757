-- Corrects cells charged earlier (LimitBackend.adjust), atomic on the Redis server: the same
-- operations as adjust() in memory-backend.ts. The AI layer settles a reservation this way.
--
-- KEYS: one key per cell.
-- ARGV: now (ms), then per cell: kind ('r' rate | 'q' quota), limit, windowMs (rate) or
--       resetAt (quota), delta (signed units).
-- Returns the units in use after the correction, per cell.
local EPS_UNITS = 1e-6
local now = tonumber(ARGV[1])
local out = {}
local a = 2
for c = 1, #KEYS do
  local kind = ARGV[a]
  local limit = tonumber(ARGV[a + 1])
  local param = tonumber(ARGV[a + 2])
  local delta = tonumber(ARGV[a + 3])
  a = a + 4
  local stored = redis.call('GET', KEYS[c])
  if kind == 'r' then
    local t = param / limit
    local base = now
    if stored then base = math.max(tonumber(stored), now) end
    local nxt = math.max(now, base + delta * t)
    if nxt <= now then
      redis.call('DEL', KEYS[c])
      table.insert(out, 0)
    else
      redis.call('SET', KEYS[c], string.format('%.17g', nxt), 'PX', math.max(1, math.ceil(nxt - now)))
      local remaining = math.max(0, math.floor((param - (nxt - now)) / t + EPS_UNITS))
      table.insert(out, limit - remaining)
    end
  elseif now >= param then
    -- The period ended: its counter is gone or about to be, and the new one owes nothing.
    table.insert(out, 0)
  else
    local count = 0
    if stored then count = tonumber(stored) end
    count = math.max(0, count + delta)
    if count == 0 then
      redis.call('DEL', KEYS[c])
    else
      redis.call('SET', KEYS[c], string.format('%d', count), 'PXAT', param)
    end
    table.insert(out, count)
  end
end
return out
