-- 001_buyer_orders.sql -- buyer-site database (orderfleet_buyer): orders, lines, logs, sync log, processed events.
-- Carries spec/order-sync.md (SYN-1..SYN-7). Status model (proposed there): 0 unpaid, 1 paid, 2 shipped,
-- 3 cancel requested, 4 cancelled, 5 received. schema/seller/001_seller_orders.sql mirrors this file.

CREATE TABLE IF NOT EXISTS buyer_orders (
  id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'oid, the same value on both sides (created here, copied to the seller side)',
  order_sn           VARCHAR(40)  NOT NULL COMMENT 'human-readable order number',
  buyer_id           BIGINT UNSIGNED NOT NULL,
  seller_id          BIGINT UNSIGNED NOT NULL,
  status             TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'spec order-sync: 0 unpaid, 1 paid, 2 shipped, 3 cancel requested, 4 cancelled, 5 received',
  cancel_from_status TINYINT UNSIGNED NULL COMMENT 'status before the cancel request (3 goes back to it when refused)',
  cancel_by          TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'who requested the cancellation: 0 nobody, 1 buyer, 2 seller, 3 operator',
  currency           CHAR(3) NOT NULL DEFAULT 'CNY',
  price              DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'goods amount (the seller may adjust it, SYN-7 flow 2)',
  shipping_fee       DECIMAL(19,4) NOT NULL DEFAULT 0,
  amount             DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'amount due = price + shipping_fee',
  pay_result         TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'pay result: 0 none, 1 success, 2 failed',
  pay_no             VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'payment transaction number',
  paid_amount        DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'amount actually paid',
  pay_time           DATETIME(3) NULL,
  ship_time          DATETIME(3) NULL COMMENT '发货时间',
  ship_logistics     VARCHAR(64)  NOT NULL DEFAULT '',
  ship_waybill_no    VARCHAR(64)  NOT NULL DEFAULT '',
  newdeliver         DATETIME(3) NULL COMMENT '延长的收货时间 extended receive deadline',
  refund_time        DATETIME(3) NULL COMMENT '退款时间 (set when a paid order is cancelled)',
  receive_time       DATETIME(3) NULL,
  receiver_name      VARCHAR(64)  NOT NULL DEFAULT '',
  receiver_mobile    VARCHAR(40)  NOT NULL DEFAULT '',
  receiver_country   VARCHAR(40)  NOT NULL DEFAULT '',
  receiver_province  VARCHAR(40)  NOT NULL DEFAULT '',
  receiver_city      VARCHAR(40)  NOT NULL DEFAULT '',
  receiver_address   VARCHAR(255) NOT NULL DEFAULT '',
  receiver_zip       VARCHAR(16)  NOT NULL DEFAULT '',
  sync_version       INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'incremented by every applied change (local or synced)',
  addtime            DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  uptime             DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uk_order_sn (order_sn),
  KEY idx_buyer (buyer_id, addtime),
  KEY idx_seller (seller_id, addtime),
  KEY idx_status (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='buyer-side orders (seed buyer_orders, same structure as seller_orders)';

CREATE TABLE IF NOT EXISTS buyer_order_products (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'the same value on both sides',
  oid         BIGINT UNSIGNED NOT NULL COMMENT 'buyer_orders.id',
  product_id  BIGINT UNSIGNED NOT NULL DEFAULT 0,
  sku         VARCHAR(64)  NOT NULL DEFAULT '',
  name_en     VARCHAR(255) NOT NULL DEFAULT '',
  name_cn     VARCHAR(255) NOT NULL DEFAULT '',
  price       DECIMAL(19,4) NOT NULL DEFAULT 0,
  num         INT NOT NULL DEFAULT 1,
  amount      DECIMAL(19,4) NOT NULL DEFAULT 0,
  deleted     TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'soft delete, so that the change can be copied (SYN-5)',
  addtime     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  uptime      DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY idx_oid (oid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='order lines, written on the buyer side only, copied one way to the seller side (SYN-5)';

CREATE TABLE IF NOT EXISTS buyer_order_logs (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  oid         BIGINT UNSIGNED NOT NULL,
  actor       TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '1 buyer, 2 seller, 3 operator, 4 sync',
  action      VARCHAR(32) NOT NULL DEFAULT '' COMMENT 'create, adjust_price, pay, ship, cancel_request, cancel_refuse, cancel_agree, receive, reject ...',
  from_status TINYINT UNSIGNED NULL,
  status      TINYINT UNSIGNED NULL,
  en_remark   VARCHAR(1024) NOT NULL DEFAULT '' COMMENT 'remark shown on the buyer (overseas) site',
  cn_remark   VARCHAR(1024) NOT NULL DEFAULT '' COMMENT 'remark shown on the seller (domestic) site',
  sync_flag   TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 merged into seller_order_logs (SYN-6)',
  addtime     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY idx_oid (oid, addtime),
  KEY idx_sync_flag (sync_flag, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='buyer-side order logs (seed: en_remark/cn_remark instead of remark)';

CREATE TABLE IF NOT EXISTS buyer_order_sync_log (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  oid           BIGINT UNSIGNED NOT NULL,
  op            VARCHAR(32) NOT NULL DEFAULT '' COMMENT 'create, adjust_price, pay, ship, cancel_request, cancel_refuse, cancel_agree, receive, update',
  actor         TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '1 buyer, 2 seller, 3 operator',
  fields        JSON NOT NULL COMMENT 'changed columns and values, e.g. {"price":"12.00","uptime":"...","status":1}',
  from_status   TINYINT UNSIGNED NOT NULL COMMENT 'status the change was made from (conflict check, SYN-2)',
  status        TINYINT UNSIGNED NOT NULL COMMENT 'status after the change',
  addtime       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) COMMENT 'operation time, ties broken by side priority',
  flag          TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 pending, 1 applied, 2 rejected (conflict lost, kept, not dropped)',
  reject_reason VARCHAR(255) NOT NULL DEFAULT '',
  processed_at  DATETIME(3) NULL,
  PRIMARY KEY (id),
  KEY idx_pending (flag, oid, addtime),
  KEY idx_oid (oid, addtime)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='buyer-side sync log (SYN-1, SYN-2)';

CREATE TABLE IF NOT EXISTS processed_event (
  consumer     VARCHAR(64)  NOT NULL COMMENT 'consumer group / worker name',
  event_id     VARCHAR(128) NOT NULL,
  topic        VARCHAR(128) NOT NULL DEFAULT '',
  kpartition   INT NOT NULL DEFAULT -1,
  koffset      BIGINT NOT NULL DEFAULT -1,
  outcome      VARCHAR(16) NOT NULL DEFAULT 'applied' COMMENT 'applied, unchanged, stale, rejected',
  processed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (consumer, event_id),
  KEY ix_processed_at (processed_at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COMMENT='events already applied by the sync worker (same shape as orderfleet.processed_event of schema/main/001)';
