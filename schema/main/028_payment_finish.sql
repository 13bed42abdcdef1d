-- 028_payment_finish.sql -- payment-finish (issue 13, FS-9): the steps of each paid order's chain, each done once
-- (a step that failed is retried on the retry ladder without redoing the steps before it), and the activity's count
-- of paid units per batch.
CREATE TABLE IF NOT EXISTS fs_finish_step (
  order_id   BIGINT UNSIGNED NOT NULL COMMENT 'fs_order',
  step       VARCHAR(16) NOT NULL COMMENT 'paid, method, units, repurchase, push, message, activity, deliver (FS-9, in this order)',
  detail     VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'what the step did, e.g. 3 units, skipped: no repurchase terms',
  event_id   VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'the PaymentCompleted that ran it',
  done_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (order_id, step)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='payment-finish steps done (FS-9)';

ALTER TABLE fs_batch
  ADD COLUMN IF NOT EXISTS paid_num INT NOT NULL DEFAULT 0
    COMMENT 'units of paid orders (FS-9 activity update by payment-finish)';
