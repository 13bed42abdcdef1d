-- delivery_failed.lua -- DLV-5 failed try (seed REDIS_DELIVERY_TO_SERVER_FAIL, its KEY[1] typo and the stray
-- LPUSH argument fixed). KEYS[1] the backup list; KEYS[2] (optional) the next rung's queue; none after the
-- last rung (the caller writes the dead letter). ARGV[1] the order id.
-- Returns 1 when pushed on the next rung, 0 when there is no next rung.
redis.call('LREM', KEYS[1], 1, ARGV[1])
if KEYS[2] then
  redis.call('LPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0
