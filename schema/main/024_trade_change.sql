-- 024_trade_change.sql -- one row per change trade-modify applied to an order (trade-rules §4): which modify_flag
-- bits, which rules acted, the status before and after, the interception and exception bits, the stock it moved.
-- `ordctl explain` prints them after the submission trace.
CREATE TABLE IF NOT EXISTS sales_trade_change (
  rec_id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  trade_id      BIGINT UNSIGNED NOT NULL COMMENT 'sales_trade',
  raw_trade_id  BIGINT UNSIGNED NOT NULL COMMENT 'api_trade.rec_id',
  event_id      VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'the TradeChange that carried it (the first of a batch)',
  modify_flag   INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'api_trade bits handled (§1.10)',
  order_flags   INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'OR of the api_trade_order bits handled (§1.11)',
  status_before SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  status_after  SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  block_or      INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'block_reason bits set',
  bad_or        INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'bad_reason bits set',
  outcome       VARCHAR(24) NOT NULL DEFAULT '' COMMENT 'applied, resubmit-stopped',
  rules         VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'rule IDs that acted, in order',
  stock         VARCHAR(512) NOT NULL DEFAULT '' COMMENT 'what moved: counter delta@warehouse spec',
  created_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  KEY idx_trade (trade_id, rec_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='changes applied by trade-modify (MOD)';
