-- delivery_notify.lua -- DLV-2 payment notify: claim an order for delivery once (seed REDIS_CHANNEL_DELIVERY).
-- Cluster-safe: every key in KEYS (give the order's keys one hash tag, e.g. of:dlv:{ORDER}:order), no SELECT.
-- KEYS[1] the order's pending data (hash); KEYS[2] the order's claim key; KEYS[3] (optional) the delivery
-- queue list (the seed's SIMPLE_PLATFORM_DELIVERY; the fleet passes none: Kafka is the queue).
-- ARGV[1] cash; ARGV[2] claim owner (the notify's event id); ARGV[3] claim TTL in ms;
-- ARGV[4] the order id pushed on the queue; ARGV[5..] optional field/value pairs of the order's data,
-- registered (HSET) before the check when given (the fleet's DeliveryRequest carries the order).
-- Returns 1 = queued (claimed by this owner; re-entrant for the same owner, so a redelivered message
-- goes on), 2 = unknown order (no data), 3 = duplicate notify (claimed by another owner: do nothing).
if #ARGV >= 6 then
  local data = {}
  for i = 5, #ARGV do data[#data + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(data))
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
if redis.call('EXISTS', KEYS[1]) == 0 then return 2 end
local cur = redis.call('GET', KEYS[2])
if cur then
  if cur == 'claim:' .. ARGV[2] then
    redis.call('PEXPIRE', KEYS[2], ARGV[3])
    return 1
  end
  return 3
end
redis.call('SET', KEYS[2], 'claim:' .. ARGV[2], 'PX', ARGV[3])
redis.call('HSET', KEYS[1], 'cash', ARGV[1])
if KEYS[3] then redis.call('LPUSH', KEYS[3], ARGV[4]) end
return 1
