-- delivery_pop.lua -- DLV-3 reliable pop (seed REDIS_GET_DELIVERY_DATA, its quoting bug fixed).
-- KEYS[1] the queue list; KEYS[2] its backup list. The order moves to the backup list atomically
-- (RPOPLPUSH) before it is worked on, so a crash never loses it.
-- Returns the order id, or 0 when the queue is empty. The seed also read the order's data (HMGET with
-- no fields) inside the script, from a key named by the popped value: a key not in KEYS is not
-- cluster-safe, so the caller reads the data (HGETALL) with the key it now knows.
local id = redis.call('RPOPLPUSH', KEYS[1], KEYS[2])
if not id then return 0 end
return id
