-- fsjob_submit.lua -- FS-1: the gateway writes a new job's live record and how long it is kept, in one round trip
-- (the submit's only Redis call besides an Idempotency-Key's). KEYS[1] the job's hash. ARGV[1] how long the record is
-- kept (ms); ARGV[2..] field/value pairs (state inactive, the job's data, attempts, ttl). Returns 1.
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
