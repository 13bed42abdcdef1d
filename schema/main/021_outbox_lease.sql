-- 021_outbox_lease.sql -- issue 10 item 8: an unsent outbox row is swept by one instance at a time. A sweep
-- leases the rows it takes (lease_token, lease_until) with one UPDATE; other instances skip leased rows until
-- the lease ends (a sweeper that dies frees its rows when its lease runs out).
ALTER TABLE outbox
  ADD COLUMN IF NOT EXISTS lease_token VARCHAR(96) NULL COMMENT 'sweep that holds the row (instance:pid:n)' AFTER attempts,
  ADD COLUMN IF NOT EXISTS lease_until DATETIME(3) NULL COMMENT 'the lease ends; another sweep may take the row' AFTER lease_token,
  ADD KEY IF NOT EXISTS ix_lease (lease_token);
