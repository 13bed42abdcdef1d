-- dedupe_claim.lua -- claim a side effect once: guard for work outside MySQL (HTTP calls, pushes).
-- KEYS[1] dedupe key; ARGV[1] owner token; ARGV[2] claim TTL in ms.
-- Returns 1 = claimed by this owner (also when it already held it: re-entrant, TTL renewed),
--         2 = held by another owner that has not finished (in flight),
--         3 = done already (a duplicate: do nothing).
local cur = redis.call('GET', KEYS[1])
if not cur then
  redis.call('SET', KEYS[1], 'claim:' .. ARGV[1], 'PX', ARGV[2])
  return 1
end
if cur == 'done' then return 3 end
if cur == 'claim:' .. ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 2
