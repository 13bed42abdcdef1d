-- 008_refund.sql -- raw refund orders (原始退款单, incl. temporary ones 临时退款单) and system refund orders (退款单).
-- Carries SUB-RFD-01, MOD-T1-22, MOD-O1-02, MOD-O2-05..07 and the "refund already handled" test (OP-61).

CREATE TABLE IF NOT EXISTS api_refund (
  rec_id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  platform_id    SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  shop_id        BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'cfg_shop',
  refund_no      VARCHAR(64) NOT NULL COMMENT 'platform refund number, temporary refunds use ''TMP-'' + tid (+ ''-'' + oid)',
  is_temp        TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 temporary refund order created from raw-trade lines (SUB-RFD-01), replaced when the platform refund arrives',
  tid            VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'raw trade tid',
  raw_trade_id   BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'api_trade.rec_id',
  type           TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '1 refund only (仅退款), 2 return and refund (退货退款), 3 exchange',
  status         TINYINT UNSIGNED NOT NULL DEFAULT 2 COMMENT 'spec trade-rules §1.5 line refund status of the refund: 1 cancelled, 2 applied, 3 waiting return, 4 waiting receipt, 5 refunded, 6 closed',
  process_status TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 pending submit, 1 submitted (sales_refund created), 2 cancelled',
  modify_flag    INT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 status changed since submission',
  buyer_nick     VARCHAR(128) NOT NULL DEFAULT '',
  refund_amount  DECIMAL(19,4) NOT NULL DEFAULT 0,
  reason         VARCHAR(255) NOT NULL DEFAULT '',
  refund_time    DATETIME NULL,
  modified       DATETIME NULL COMMENT 'platform modified time',
  created_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_shop_refund_no (shop_id, refund_no),
  KEY idx_tid (shop_id, tid),
  KEY idx_process (process_status, modify_flag)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='raw refund order (原始退款单 / 临时退款单)';

CREATE TABLE IF NOT EXISTS api_refund_order (
  rec_id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  refund_id     BIGINT UNSIGNED NOT NULL COMMENT 'api_refund.rec_id',
  oid           VARCHAR(64) NOT NULL COMMENT 'raw sub-order oid',
  goods_id      VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'platform goods id',
  spec_id       VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'platform spec id',
  spec_no       VARCHAR(64) NOT NULL DEFAULT '',
  goods_name    VARCHAR(255) NOT NULL DEFAULT '',
  num           INT NOT NULL DEFAULT 0,
  price         DECIMAL(19,4) NOT NULL DEFAULT 0,
  refund_amount DECIMAL(19,4) NOT NULL DEFAULT 0,
  status        TINYINT UNSIGNED NOT NULL DEFAULT 2 COMMENT 'spec trade-rules §1.5',
  created_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_refund_oid (refund_id, oid),
  KEY idx_oid (oid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='raw refund order lines';

CREATE TABLE IF NOT EXISTS sales_refund (
  refund_id     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  refund_no     VARCHAR(40) NULL COMMENT 'system refund number, set by the writer, unique',
  api_refund_id BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'api_refund.rec_id, 0 = manual',
  platform_id   SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  shop_id       BIGINT UNSIGNED NOT NULL DEFAULT 0,
  trade_id      BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'sales_trade',
  customer_id   BIGINT UNSIGNED NOT NULL DEFAULT 0,
  src_tids      VARCHAR(1024) NOT NULL DEFAULT '',
  type          TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT 'as api_refund.type',
  status        TINYINT UNSIGNED NOT NULL DEFAULT 10 COMMENT '5 cancelled, 10 pending (待处理), 20 agreed, 30 goods returned, 90 completed (handled: status >= 20, OP-61)',
  refund_amount DECIMAL(19,4) NOT NULL DEFAULT 0,
  goods_amount  DECIMAL(19,4) NOT NULL DEFAULT 0,
  post_amount   DECIMAL(19,4) NOT NULL DEFAULT 0,
  reason        VARCHAR(255) NOT NULL DEFAULT '',
  handled_at    DATETIME(3) NULL COMMENT 'when a user handled the refund (用户已经处理退款), NULL = not yet',
  created_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (refund_id),
  UNIQUE KEY uk_refund_no (refund_no),
  KEY idx_api_refund (api_refund_id),
  KEY idx_trade (trade_id),
  KEY idx_status (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='system refund order (退款单)';

CREATE TABLE IF NOT EXISTS sales_refund_order (
  rec_id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  refund_id      BIGINT UNSIGNED NOT NULL COMMENT 'sales_refund',
  trade_order_id BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'sales_trade_order.rec_id',
  src_tid        VARCHAR(64) NOT NULL DEFAULT '',
  src_oid        VARCHAR(64) NOT NULL DEFAULT '',
  spec_id        BIGINT UNSIGNED NOT NULL DEFAULT 0,
  num            INT NOT NULL DEFAULT 0,
  price          DECIMAL(19,4) NOT NULL DEFAULT 0,
  refund_amount  DECIMAL(19,4) NOT NULL DEFAULT 0,
  created_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_refund_line (refund_id, src_oid, spec_id),
  KEY idx_trade_order (trade_order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='system refund order lines';
