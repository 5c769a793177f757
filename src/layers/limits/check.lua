-- One limit check, atomic on the Redis server (one EVALSHA per request).
-- The same arithmetic as src/layers/limits/gcra.ts, operation for operation, so the
-- memory and Redis backends decide alike (one contract test suite runs against both).
--
-- KEYS: the suspension keys (ARGV[3] of them), then one key per cell.
-- ARGV: now (ms), charge (1|0), number of suspension keys, then per cell:
--       kind ('r' rate | 'q' quota), limit, windowMs (rate) or resetAt (quota), cost.
-- Returns {suspendedIndex (1-based, 0 = none), record, admitted, then per cell:
--          allowed, remaining, used, resetMs, retryAfterMs}.
local EPS_MS = 0.001
local EPS_UNITS = 1e-6
local now = tonumber(ARGV[1])
local charge = ARGV[2] == '1'
local ns = tonumber(ARGV[3])

for i = 1, ns do
  local record = redis.call('GET', KEYS[i])
  if record then return {i, record, 0} end
end

local out = {0, '', 1}
local admitted = 1
local writes = {}
local a = 4
for c = ns + 1, #KEYS do
  local kind = ARGV[a]
  local limit = tonumber(ARGV[a + 1])
  local param = tonumber(ARGV[a + 2])
  local cost = tonumber(ARGV[a + 3])
  a = a + 4
  local stored = redis.call('GET', KEYS[c])
  if kind == 'r' then
    local t = param / limit
    local base = now
    if stored then base = math.max(tonumber(stored), now) end
    local nxt = base + cost * t
    if nxt - now <= param + EPS_MS then
      local remaining = math.max(0, math.floor((param - (nxt - now)) / t + EPS_UNITS))
      table.insert(out, 1); table.insert(out, remaining); table.insert(out, limit - remaining)
      table.insert(out, math.ceil(nxt - now)); table.insert(out, 0)
      writes[#writes + 1] = {c, 'r', nxt}
    else
      admitted = 0
      local remaining = math.max(0, math.floor((param - (base - now)) / t + EPS_UNITS))
      table.insert(out, 0); table.insert(out, remaining); table.insert(out, limit - remaining)
      table.insert(out, math.ceil(base - now)); table.insert(out, math.ceil(nxt - now - param))
    end
  else
    local count = 0
    if stored then count = tonumber(stored) end
    local resetMs = math.max(0, math.ceil(param - now))
    if count + cost <= limit then
      table.insert(out, 1); table.insert(out, limit - count - cost); table.insert(out, count + cost)
      table.insert(out, resetMs); table.insert(out, 0)
      writes[#writes + 1] = {c, 'q', cost, param}
    else
      admitted = 0
      table.insert(out, 0); table.insert(out, math.max(0, limit - count)); table.insert(out, count)
      table.insert(out, resetMs); table.insert(out, resetMs)
    end
  end
end

out[3] = admitted
if admitted == 1 and charge then
  for _, w in ipairs(writes) do
    if w[2] == 'r' then
      -- %.17g writes the double exactly, so the next check reads the same TAT.
      redis.call('SET', KEYS[w[1]], string.format('%.17g', w[3]), 'PX', math.max(1, math.ceil(w[3] - now)))
    else
      redis.call('INCRBY', KEYS[w[1]], w[3])
      redis.call('PEXPIREAT', KEYS[w[1]], w[4])
    end
  end
end
return out
