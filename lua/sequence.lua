-- sequence.lua -- DLV-1 rolling short sequence: INCR, staying in 1..max (default 99900).
-- KEYS[1] sequence key; ARGV[1] max (optional). Returns the next value.
-- The seed returned max+1 once before resetting; here the value after max is 1 (spec: proposed reading).
local max = tonumber(ARGV[1])
if not max or max < 1 then max = 99900 end
local v = redis.call('INCR', KEYS[1])
if v > max then
  redis.call('SET', KEYS[1], 1)
  return 1
end
return v
