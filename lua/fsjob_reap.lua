-- fsjob_reap.lua -- FS-2 "TTL exceeded": an attempt active past its deadline fails (stalled-job check).
-- KEYS[1] the job's hash. ARGV[1] now (ms); ARGV[2] the first backoff (ms): the wait after attempt n is
-- ARGV[2] × 2^(n−1), at most 60 s (of_fsjob_backoff).
-- Returns 0: not active, or not past its deadline (nothing changes); 1: delayed until now + backoff (the job runs
-- again when its message is delivered again); 2: the last attempt: the caller fails the job in the database first
-- and then writes the state it finds there (fsjob_finish.lua).
if redis.call('HGET', KEYS[1], 'state') ~= 'active' then return 0 end
local dl = tonumber(redis.call('HGET', KEYS[1], 'deadline') or '0') or 0
if dl == 0 or dl > tonumber(ARGV[1]) then return 0 end
local made = tonumber(redis.call('HGET', KEYS[1], 'attempts_made') or '0') or 0
local max = tonumber(redis.call('HGET', KEYS[1], 'attempts_max') or '3') or 3
if made >= max then return 2 end
local wait = tonumber(ARGV[2])
for _ = 2, made do if wait < 60000 then wait = wait * 2 end end
if wait > 60000 then wait = 60000 end
redis.call('HSET', KEYS[1], 'state', 'delayed', 'error', 'TTL_EXCEEDED', 'promote_at', tonumber(ARGV[1]) + wait)
redis.call('HDEL', KEYS[1], 'deadline')
return 1
