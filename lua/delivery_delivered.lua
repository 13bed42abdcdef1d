-- delivery_delivered.lua -- DLV-4 delivered (seed REDIS_DELIVERY_TO_SERVER_OK, its KEY[1] typo fixed).
-- KEYS[1] the order's pending data; KEYS[2] its claim key; KEYS[3] (optional) the backup list.
-- ARGV[1] the order id (removed from the backup list). Returns 1.
redis.call('DEL', KEYS[1], KEYS[2])
if KEYS[3] then redis.call('LREM', KEYS[3], 1, ARGV[1]) end
return 1
