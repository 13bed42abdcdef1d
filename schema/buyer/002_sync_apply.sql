-- 002_sync_apply.sql -- what of-order-sync needs on the buyer side (issue 14): the sync log as an outbox (published),
-- the merged state each round starts from (order_sync_state), the ops each side applied (order_sync_applied: a round
-- re-run after a crash between the two commits changes nothing twice), and idempotent sync lines in the order log.
-- schema/seller/002_sync_apply.sql is the same on the other side.

ALTER TABLE buyer_order_sync_log
  ADD COLUMN IF NOT EXISTS published TINYINT UNSIGNED NOT NULL DEFAULT 0
    COMMENT '1 = on order.sync (its reader marks it once Kafka acknowledged it)',
  ADD KEY IF NOT EXISTS idx_unpublished (published, id);

ALTER TABLE buyer_order_logs
  ADD COLUMN IF NOT EXISTS sync_op VARCHAR(40) NULL
    COMMENT 'a line the sync wrote: "<kind>:<op key>" (e.g. reject:b:12), unique so a re-run round writes it once',
  ADD UNIQUE KEY IF NOT EXISTS uk_sync_op (sync_op);

CREATE TABLE IF NOT EXISTS order_sync_state (
  oid            BIGINT UNSIGNED NOT NULL,
  version        INT UNSIGNED NOT NULL COMMENT 'rounds merged for this order',
  last_buyer_op  BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'newest buyer_order_sync_log.id merged',
  last_seller_op BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'newest seller_order_sync_log.id merged',
  status         TINYINT UNSIGNED NOT NULL,
  state          JSON NOT NULL COMMENT 'the merged columns (common/rules/sync/of_syncorder.h), the next round''s base',
  updated_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (oid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='order-sync: the merged state of each order (SYN-2); the buyer side''s row is the base of the next round';

CREATE TABLE IF NOT EXISTS order_sync_applied (
  side        CHAR(1) NOT NULL COMMENT 'b = a buyer_order_sync_log op, s = a seller_order_sync_log op',
  op_id       BIGINT UNSIGNED NOT NULL,
  oid         BIGINT UNSIGNED NOT NULL,
  version     INT UNSIGNED NOT NULL COMMENT 'the round (order_sync_state.version) that took it',
  outcome     TINYINT UNSIGNED NOT NULL COMMENT '1 applied, 2 rejected',
  ct_row      VARCHAR(24) NOT NULL DEFAULT '' COMMENT 'the conflict-table row that decided (docs/decisions.md D-SYN-2)',
  reason      VARCHAR(255) NOT NULL DEFAULT '',
  applied_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (side, op_id),
  KEY idx_oid (oid, version),
  KEY idx_outcome (outcome, applied_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='order-sync: every op of either side this side took, and how (each side records the op ids it applied)';
