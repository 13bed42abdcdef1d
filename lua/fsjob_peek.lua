-- fsjob_peek.lua -- FS-2 backoff: how long a worker waits before it starts the next attempt of a job
-- (of_fsjob_wait). KEYS[1] the job's hash. ARGV[1] now (ms).
-- Returns the milliseconds left until promote_at when the job is delayed and its backoff is not over, at most 60000
-- (a backoff never exceeds 60 s: a later promote_at, from another host's clock or a hand edit, is not waited for);
-- 0 otherwise. Changes nothing.
if redis.call('HGET', KEYS[1], 'state') ~= 'delayed' then return 0 end
local w = (tonumber(redis.call('HGET', KEYS[1], 'promote_at') or '0') or 0) - tonumber(ARGV[1])
if w <= 0 then return 0 end
if w > 60000 then return 60000 end
return w
