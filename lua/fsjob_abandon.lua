-- fsjob_abandon.lua -- FS-1, D-FS-3: the gateway gives up on a job it could not queue (CreateOrderFail), atomically
-- against the worker's fsjob_start.lua on the same record. KEYS[1] the job's hash. ARGV[1] now (ms); ARGV[2] how long
-- the record is kept (ms).
-- Returns 1: the record was still inactive (or gone): it is failed QUEUE_FAILED, and a message that lands later finds
-- it final and makes no order (fsjob_start.lua answers 0); the caller answers CreateOrderFail. 0: a worker took the
-- job first (active, delayed or final): the job exists after all, the caller answers its jobId.
local st = redis.call('HGET', KEYS[1], 'state')
if st and st ~= 'inactive' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'failed', 'error', 'QUEUE_FAILED', 'finished_at', ARGV[1], 'progress', 100)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
