-- fsjob_start.lua -- FS-2: a flash worker starts an attempt of a job (of_fsjob_start, atomically on the live record).
-- KEYS[1] the job's hash. ARGV[1] now (ms); ARGV[2] TTL of an attempt (ms); ARGV[3] attempts max; ARGV[4] how long
-- the record is kept (ms); ARGV[5] the delivery (worker pid:partition:offset): the same delivery handed again (the
-- worker retries its batch after an outage) is the same attempt, not a new one; ARGV[6..] field/value pairs of the job
-- (user_id, batch_id, num, line, created_at) written when the hash is gone (Redis lost it: the message is the job).
-- Returns n >= 1: attempt n started (state active, deadline now + TTL); 0: complete or failed already (a replay);
-- -n: every attempt was made (n of them): the job is failed here, the caller records it; -1000 - w: the job is
-- delayed and its backoff is not over (promote_at in w ms): nothing changes, the caller waits (OF_FSJOB_WAIT).
if redis.call('EXISTS', KEYS[1]) == 0 and #ARGV >= 7 then
  local f = {}
  for i = 6, #ARGV do f[#f + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], 'state', 'inactive', 'attempts_made', 0, 'attempts_max', ARGV[3], 'ttl', ARGV[2], unpack(f))
end
local st = redis.call('HGET', KEYS[1], 'state')
if st == 'complete' or st == 'failed' then return 0 end
if st == 'delayed' then
  local at = tonumber(redis.call('HGET', KEYS[1], 'promote_at') or '0') or 0
  if at > tonumber(ARGV[1]) then return -1000 - (at - tonumber(ARGV[1])) end
end
local made = tonumber(redis.call('HGET', KEYS[1], 'attempts_made') or '0') or 0
if st == 'active' and made > 0 and redis.call('HGET', KEYS[1], 'delivery') == ARGV[5] then
  redis.call('HSET', KEYS[1], 'deadline', tonumber(ARGV[1]) + tonumber(ARGV[2]))
  return made
end
local max = tonumber(redis.call('HGET', KEYS[1], 'attempts_max') or ARGV[3]) or tonumber(ARGV[3])
if made >= max then
  redis.call('HSET', KEYS[1], 'state', 'failed', 'error', 'ATTEMPTS_EXHAUSTED', 'finished_at', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return -made
end
made = made + 1
redis.call('HSET', KEYS[1], 'state', 'active', 'attempts_made', made, 'delivery', ARGV[5], 'started_at', ARGV[1],
  'deadline', tonumber(ARGV[1]) + tonumber(ARGV[2]), 'progress', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return made
