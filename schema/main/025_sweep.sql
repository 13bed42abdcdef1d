-- 025_sweep.sql -- the sweep (trade-rules §5, MID): one row per merge (which order went into which, by which rule),
-- one per split (which new order came out of which),
-- and the index that lets a merge move the raw trades of a merged order to the order that took it in.
CREATE TABLE IF NOT EXISTS sales_trade_merge (
  rec_id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  from_trade_id  BIGINT UNSIGNED NOT NULL COMMENT 'the order merged away (its sales_trade row is deleted; its logs stay under this id)',
  from_trade_no  VARCHAR(40) NOT NULL DEFAULT '',
  into_trade_id  BIGINT UNSIGNED NOT NULL COMMENT 'the order that took its lines',
  rule_id        VARCHAR(32) NOT NULL COMMENT 'MID-MRG-02 (pre-processing orders) or MID-MRG-03 (into an awaiting-audit / pre-order)',
  from_status    TINYINT UNSIGNED NOT NULL DEFAULT 0,
  src_tids       VARCHAR(1024) NOT NULL DEFAULT '' COMMENT 'raw tids of the order merged away',
  receivable     DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'its receivable, added to the order that took it in',
  created_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  KEY idx_from (from_trade_id),
  KEY idx_into (into_trade_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='merges of the sweep (MID-MRG-02/03, ordctl explain)';

CREATE TABLE IF NOT EXISTS sales_trade_split (
  rec_id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  from_trade_id  BIGINT UNSIGNED NOT NULL COMMENT 'the order split (it keeps the lines of its own warehouse)',
  to_trade_id    BIGINT UNSIGNED NOT NULL COMMENT 'the new order (sales_trade.split_from_trade_id = from_trade_id, trade_from 3)',
  rule_id        VARCHAR(32) NOT NULL COMMENT 'MID-SPW-03 (by warehouse)',
  warehouse_id   BIGINT UNSIGNED NOT NULL DEFAULT 0,
  goods_count    INT NOT NULL DEFAULT 0,
  goods_amount   DECIMAL(19,4) NOT NULL DEFAULT 0,
  created_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  KEY idx_from (from_trade_id),
  KEY idx_to (to_trade_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='splits of the sweep (MID-SPW, ordctl explain)';

ALTER TABLE api_trade ADD KEY IF NOT EXISTS ix_deliver (deliver_trade_id);
