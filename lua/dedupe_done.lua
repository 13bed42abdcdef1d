-- dedupe_done.lua -- mark a dedupe key done (the effect is durable) for ARGV[1] ms.
-- KEYS[1] dedupe key; ARGV[1] TTL in ms. Returns 1.
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[1])
return 1
