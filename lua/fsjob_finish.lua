-- fsjob_finish.lua -- FS-3/FS-4: the live record of a job takes its final state, as the database recorded it.
-- KEYS[1] the job's hash. ARGV[1] state (complete | failed); ARGV[2] now (ms); ARGV[3] order id ('' when failed);
-- ARGV[4] error code ('' when complete); ARGV[5] how long the record is kept (ms); ARGV[6] attempts made as recorded
-- (0: keep the hash's). Returns 1. The record says recorded=1: it is fs_job's final record (the gateway answers it without
-- reading fs_job, D-FS-16).
if redis.call('HGET', KEYS[1], 'state') == 'complete' and ARGV[1] ~= 'complete' then return 1 end -- never undone
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'finished_at', ARGV[2], 'result', ARGV[3], 'error', ARGV[4],
  'progress', 100, 'recorded', 1)
if tonumber(ARGV[6]) > 0 then redis.call('HSET', KEYS[1], 'attempts_made', ARGV[6]) end
redis.call('HDEL', KEYS[1], 'deadline')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
