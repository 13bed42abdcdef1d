-- 002_catalogue.sql -- platforms, shops, warehouses (+ coverage areas), logistics companies and the shop links.
-- Carries the settings of spec trade-rules §1.18 SHOP.* and §7.9 (shop settings, warehouse, logistics company).
-- Conventions (docs/schema.md): entity PKs are named <entity>_id, BIGINT UNSIGNED AUTO_INCREMENT, no FOREIGN KEYs,
-- money DECIMAL(19,4), areas are compared literally (province/city/district strings as the platform adapter stores them).

CREATE TABLE IF NOT EXISTS cfg_platform (
  platform_id   SMALLINT UNSIGNED NOT NULL COMMENT 'code, not surrogate: 0 offline, 1 Taobao/Tmall, 2 JD, 3 Pinduoduo',
  platform_code VARCHAR(32)  NOT NULL COMMENT 'short code used in ids, e.g. TB, JD, PDD',
  name          VARCHAR(64)  NOT NULL,
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (platform_id),
  UNIQUE KEY uk_platform_code (platform_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='platform code table (trade-rules §7.1 platform_id)';

CREATE TABLE IF NOT EXISTS cfg_shop (
  shop_id           BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
  platform_id       SMALLINT UNSIGNED NOT NULL COMMENT 'cfg_platform',
  shop_no           VARCHAR(64)  NOT NULL COMMENT 'raw trades name the shop by (platform_id, shop_no)',
  shop_name         VARCHAR(128) NOT NULL,
  shop_group        VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'shop group (分组), read by MID-PRC-01',
  is_preorder       TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'SHOP.preorder: every order becomes a pre-order (SUB-CFG-03, OP-30)',
  is_grab           TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'SHOP.grab: shop takes part in grab orders (SUB-CFG-06)',
  is_split_merge    TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'SHOP.split_merge: auto merge / split allowed (MID-MRG-01, MID-SPW-01)',
  is_goods_wh       TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'SHOP.goods_wh: goods-designated warehouses apply (SUB-WH-02)',
  cod_logistics_id  BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'shop COD logistics (SUB-LOGI-02), 0 none, cfg_logistics',
  grab_logistics_id BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'no-tracking logistics for grab orders (SUB-STAT-07, OP-46), 0 none',
  is_disabled       TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at        DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (shop_id),
  UNIQUE KEY uk_platform_shop_no (platform_id, shop_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='shop and its SHOP.* settings (trade-rules §1.18, §7.9)';

CREATE TABLE IF NOT EXISTS cfg_warehouse (
  warehouse_id     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  warehouse_no     VARCHAR(64)  NOT NULL COMMENT 'code, a raw trade warehouse_no is matched here together with wms_type (SUB-WH-01, OP-32)',
  name             VARCHAR(128) NOT NULL,
  wms_type         SMALLINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'warehouse type: 0 own/normal, 1 物流宝 external WMS, 2 other external WMS (SUB-CNT-02)',
  is_external      TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 external warehouse: stock is wms_stock_num, auto-transfer target (SUB-STAT-02)',
  is_express       TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 used for the 极速达 business (SUB-WH-10, SUB-WH-11)',
  priority         INT NOT NULL DEFAULT 0 COMMENT 'higher value = higher priority (SUB-WH-04..06)',
  province         VARCHAR(40)  NOT NULL DEFAULT '',
  city             VARCHAR(40)  NOT NULL DEFAULT '',
  district         VARCHAR(40)  NOT NULL DEFAULT '',
  address          VARCHAR(255) NOT NULL DEFAULT '',
  contact          VARCHAR(40)  NOT NULL DEFAULT '',
  mobile           VARCHAR(40)  NOT NULL DEFAULT '',
  cod_logistics_id BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'warehouse COD logistics (SUB-LOGI-02), 0 none, cfg_logistics',
  is_disabled      TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at      DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (warehouse_id),
  UNIQUE KEY uk_warehouse_no (warehouse_no),
  KEY idx_wms_type (wms_type, is_disabled, priority)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='warehouse (trade-rules §7.9)';

CREATE TABLE IF NOT EXISTS cfg_warehouse_area (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  warehouse_id BIGINT UNSIGNED NOT NULL COMMENT 'cfg_warehouse',
  province     VARCHAR(40) NOT NULL,
  city         VARCHAR(40) NOT NULL DEFAULT '' COMMENT ''''' = the whole province',
  district     VARCHAR(40) NOT NULL DEFAULT '' COMMENT ''''' = the whole city',
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_wh_area (warehouse_id, province, city, district),
  KEY idx_area (province, city, district)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='warehouse coverage areas (覆盖范围, SUB-WH-04)';

CREATE TABLE IF NOT EXISTS cfg_logistics (
  logistics_id   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  logistics_no   VARCHAR(64)  NOT NULL COMMENT 'code, e.g. SF, ZTO',
  name           VARCHAR(128) NOT NULL,
  logistics_type SMALLINT UNSIGNED NOT NULL DEFAULT 2 COMMENT '0 自定义 custom, 1 无单号 no tracking number, 2 快递 express, 3 物流 freight, 4 E速宝 (SUB-LOGI-04/05, SUB-STAT-07)',
  supports_cod   TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 supports cash on delivery (SUB-LOGI-03)',
  sort_order     INT NOT NULL DEFAULT 0 COMMENT 'ascending, "take one from the list" picks the first (SUB-LOGI-03/05)',
  is_disabled    TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (logistics_id),
  UNIQUE KEY uk_logistics_no (logistics_no),
  KEY idx_type (logistics_type, is_disabled, sort_order)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='logistics company (trade-rules §7.9)';

CREATE TABLE IF NOT EXISTS cfg_shop_warehouse (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  shop_id      BIGINT UNSIGNED NOT NULL COMMENT 'cfg_shop',
  warehouse_id BIGINT UNSIGNED NOT NULL COMMENT 'cfg_warehouse',
  priority     INT NOT NULL DEFAULT 0 COMMENT 'higher = preferred, ties fall back to cfg_warehouse.priority',
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_shop_wh (shop_id, warehouse_id),
  KEY idx_warehouse (warehouse_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='shop-designated warehouses (SUB-WH-03..05)';

CREATE TABLE IF NOT EXISTS cfg_shop_logistics (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  shop_id      BIGINT UNSIGNED NOT NULL COMMENT 'cfg_shop',
  logistics_id BIGINT UNSIGNED NOT NULL COMMENT 'cfg_logistics',
  priority     INT NOT NULL DEFAULT 0 COMMENT 'higher = preferred',
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_shop_logi (shop_id, logistics_id),
  KEY idx_logistics (logistics_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='shop-designated logistics (SUB-LOGI-04 step 1)';
