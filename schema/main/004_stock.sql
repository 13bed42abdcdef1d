-- 004_stock.sql -- stock per warehouse × spec (trade-rules §1.17, §7.8), its change log, today's sales and grab stock.
-- Quantities are INT (raw trades carry integer num), counters may go negative only through a bug, so no CHECK (>=0):
-- the reservation code is the guard, and a CHECK failure inside a batch would turn a bug into a poison message.

CREATE TABLE IF NOT EXISTS stock_spec (
  rec_id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  warehouse_id  BIGINT UNSIGNED NOT NULL COMMENT 'cfg_warehouse',
  spec_id       BIGINT UNSIGNED NOT NULL COMMENT 'goods_spec',
  stock_num     INT NOT NULL DEFAULT 0 COMMENT '库存 stock on hand',
  wms_stock_num INT NOT NULL DEFAULT 0 COMMENT '外部库存 stock reported by an external WMS (used instead of stock_num when cfg_warehouse.is_external = 1)',
  sending_num   INT NOT NULL DEFAULT 0 COMMENT '待发货量 reserved by audited orders',
  order_num     INT NOT NULL DEFAULT 0 COMMENT '订购量 reserved by status 15/16/20/27 (SUB-STK-03)',
  unpay_num     INT NOT NULL DEFAULT 0 COMMENT '未付款量 reserved by status 10 (and 12, SUB-STK-06)',
  subscribe_num INT NOT NULL DEFAULT 0 COMMENT '预订单量 reserved by status 19 (SUB-STK-04)',
  cost_price    DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT '库存成本价 (SUB-COST-01)',
  created_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_wh_spec (warehouse_id, spec_id),
  KEY idx_spec (spec_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='stock per warehouse × spec (trade-rules §1.17), lock rows in (warehouse_id, spec_id) order';

CREATE TABLE IF NOT EXISTS stock_change_log (
  rec_id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  warehouse_id    BIGINT UNSIGNED NOT NULL,
  spec_id         BIGINT UNSIGNED NOT NULL,
  src_type        TINYINT UNSIGNED NOT NULL COMMENT '1 sales_trade reservation, 2 stockout/shipment, 3 refund, 4 manual adjust, 5 flash sale, 6 WMS sync',
  src_id          BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'id in the source table (sales_trade.trade_id, stockout_order.stockout_id, ...)',
  event_id        VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'processed event that caused the change ('''' if none)',
  d_stock_num     INT NOT NULL DEFAULT 0 COMMENT 'delta of stock_num',
  d_wms_stock_num INT NOT NULL DEFAULT 0,
  d_sending_num   INT NOT NULL DEFAULT 0,
  d_order_num     INT NOT NULL DEFAULT 0,
  d_unpay_num     INT NOT NULL DEFAULT 0,
  d_subscribe_num INT NOT NULL DEFAULT 0,
  remark          VARCHAR(255) NOT NULL DEFAULT '',
  created_at      DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  KEY idx_wh_spec (warehouse_id, spec_id, created_at),
  KEY idx_src (src_type, src_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='one row per change of a stock_spec row (audit trail of reservations)';

CREATE TABLE IF NOT EXISTS stat_daily_sales (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  sales_date   DATE NOT NULL,
  shop_id      BIGINT UNSIGNED NOT NULL,
  warehouse_id BIGINT UNSIGNED NOT NULL,
  spec_id      BIGINT UNSIGNED NOT NULL,
  num          INT NOT NULL DEFAULT 0,
  amount       DECIMAL(19,4) NOT NULL DEFAULT 0,
  modified_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_day_shop_wh_spec (sales_date, shop_id, warehouse_id, spec_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='today''s sales (今日销量: MID-SLS-01, MOD-T1-30)';

CREATE TABLE IF NOT EXISTS stock_grab (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  trade_id     BIGINT UNSIGNED NOT NULL COMMENT 'sales_trade',
  warehouse_id BIGINT UNSIGNED NOT NULL,
  spec_id      BIGINT UNSIGNED NOT NULL,
  num          INT NOT NULL DEFAULT 0,
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_trade_wh_spec (trade_id, warehouse_id, spec_id),
  KEY idx_wh_spec (warehouse_id, spec_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='grab-order stock (抢单库存, SUB-GRAB-01)';
