-- dedupe_release.lua -- give a claim back after a failure, only if this owner still holds it.
-- KEYS[1] dedupe key; ARGV[1] owner token. Returns 1 released, 0 not ours (or done / gone).
if redis.call('GET', KEYS[1]) == 'claim:' .. ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
