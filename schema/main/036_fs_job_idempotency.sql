-- 036_fs_job_idempotency.sql -- flash sale (issue 13, D-FS-15): an Idempotency-Key is durable. The flash worker
-- writes the caller's key on the fs_job row of the job that made the order, in the order's transaction; the key is
-- unique per caller (the gateway client's name, or u<user_id> for a buyer), so no second order is ever made for it,
-- whatever Redis lost, and the gateway finds a repeated key here when Redis no longer has it.
ALTER TABLE fs_job
  ADD COLUMN IF NOT EXISTS idem_client VARCHAR(64) NULL
    COMMENT 'the caller that gave idempotency_key (its scope, D-FS-2); NULL with idempotency_key NULL'
    AFTER idempotency_key,
  MODIFY COLUMN idempotency_key VARCHAR(128) NULL
    COMMENT 'the caller''s Idempotency-Key on the job that made its order (D-FS-15); NULL: none, or the job made no order of its own';
ALTER TABLE fs_job DROP INDEX IF EXISTS uk_idempotency_key;
ALTER TABLE fs_job ADD UNIQUE KEY IF NOT EXISTS uk_idem (idem_client, idempotency_key);
