-- 003_goods.sql -- system goods (goods, single specs, suites), platform goods (api_goods_spec), categories, goods→warehouse designation.
-- Carries trade-rules §7.3, §7.4 (api_goods_category), §7.10 and INIT-03..08 / SUB-MAP-06..23 / SUB-WH-02.
-- Units: weight kg, length/width/height cm, volume cm³ (docs/schema.md).

CREATE TABLE IF NOT EXISTS goods_goods (
  goods_id    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  goods_no    VARCHAR(64)  NOT NULL COMMENT '货品编号',
  goods_name  VARCHAR(255) NOT NULL,
  short_name  VARCHAR(128) NOT NULL DEFAULT '',
  brand       VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'brand (品牌), copied to platform goods by INIT-07',
  class_name  VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'category (分类), copied to platform goods by INIT-07',
  unit_name   VARCHAR(16)  NOT NULL DEFAULT '',
  deleted     TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 deleted',
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (goods_id),
  UNIQUE KEY uk_goods_no (goods_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='system goods (货品)';

CREATE TABLE IF NOT EXISTS goods_spec (
  spec_id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  goods_id       BIGINT UNSIGNED NOT NULL COMMENT 'goods_goods',
  goods_no       VARCHAR(64)  NOT NULL COMMENT 'denormalised from goods_goods',
  goods_name     VARCHAR(255) NOT NULL COMMENT 'denormalised from goods_goods',
  spec_no        VARCHAR(64)  NOT NULL COMMENT '商家编码 merchant code, unique across single specs (and, by convention, disjoint from goods_suite.suite_no)',
  spec_code      VARCHAR(64)  NOT NULL DEFAULT '' COMMENT '规格码',
  spec_name      VARCHAR(128) NOT NULL DEFAULT '',
  barcode        VARCHAR(64)  NOT NULL DEFAULT '',
  retail_price   DECIMAL(19,4) NOT NULL DEFAULT 0,
  weight         DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'kg per unit',
  length         DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'cm',
  width          DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'cm',
  height         DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'cm',
  volume         DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'cm³ per unit (usually length*width*height)',
  tax_rate       DECIMAL(9,4)  NOT NULL DEFAULT 0 COMMENT 'e.g. 0.1300',
  large_type     TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 not big, 1 普通大件 normal big item, 2 独立大件 independent big item (MID-BIG-*)',
  is_zero_cost   TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 zero-cost goods (0成本)',
  is_not_use_air TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 no air transport (航空禁运)',
  deleted        TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 deleted: a suite containing it is invalid (SUB-MAP-10c)',
  created_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (spec_id),
  UNIQUE KEY uk_spec_no (spec_no),
  KEY idx_goods (goods_id),
  KEY idx_goods_no (goods_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='single spec (单品, trade-rules §7.10)';

CREATE TABLE IF NOT EXISTS goods_suite (
  suite_id     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  suite_no     VARCHAR(64)  NOT NULL COMMENT 'the suite''s spec_no (商家编码)',
  suite_name   VARCHAR(255) NOT NULL,
  retail_price DECIMAL(19,4) NOT NULL DEFAULT 0,
  weight       DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'kg, informative, lines use component weights',
  is_unsplit   TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 不可拆分: components stay together (bind_oid, SUB-MAP-20)',
  print_mode   TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '1 打印组合装明细 print details, 2 print the suite only, ≠1 ⇒ unsplittable (SUB-MAP-19)',
  deleted      TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (suite_id),
  UNIQUE KEY uk_suite_no (suite_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='suite (组合装, SUB-MAP-18)';

CREATE TABLE IF NOT EXISTS goods_suite_detail (
  rec_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  suite_id    BIGINT UNSIGNED NOT NULL COMMENT 'goods_suite',
  spec_id     BIGINT UNSIGNED NOT NULL COMMENT 'component single spec (goods_spec)',
  num         INT NOT NULL COMMENT 'component quantity per one suite',
  amount      DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'component amount per one suite (num × component price), apportioning weight (SUB-MAP-21/22, OP-27)',
  ratio       DECIMAL(9,6)  NOT NULL DEFAULT 0 COMMENT 'optional fixed share of the suite amount, 0 = derive from amount',
  is_gift     TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 component is a gift',
  sort_order  INT NOT NULL DEFAULT 0 COMMENT 'apportioning order, the last component takes the rounding remainder',
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_suite_spec (suite_id, spec_id),
  KEY idx_spec (spec_id),
  CONSTRAINT chk_suite_detail_num CHECK (num > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='suite components (SUB-MAP-21..23)';

CREATE TABLE IF NOT EXISTS api_goods_spec (
  rec_id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  platform_id       SMALLINT UNSIGNED NOT NULL COMMENT 'cfg_platform',
  shop_id           BIGINT UNSIGNED NOT NULL COMMENT 'cfg_shop',
  goods_id          VARCHAR(64)  NOT NULL COMMENT 'platform goods id',
  spec_id           VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'platform spec id ('''' for goods without specs)',
  goods_no          VARCHAR(64)  NOT NULL DEFAULT '' COMMENT '货品编号 as on the platform',
  spec_no           VARCHAR(64)  NOT NULL DEFAULT '' COMMENT '商家编码 as on the platform',
  goods_name        VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'platform goods name (api_goods_name, SUB-CFG-05)',
  spec_name         VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'platform spec name (api_spec_name)',
  cid               VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'platform category (api_goods_category)',
  price             DECIMAL(19,4) NOT NULL DEFAULT 0,
  stock_num         INT NOT NULL DEFAULT 0 COMMENT 'stock last synced to the platform',
  status            TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '0 deleted, 1 on sale, 2 off shelf (>0 = not deleted, INIT-05)',
  match_target_type TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 none, 1 single spec (goods_spec), 2 suite (goods_suite) (INIT-06)',
  match_target_id   BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'goods_spec.spec_id or goods_suite.suite_id',
  match_code        VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'spec_no / suite_no of the matched target',
  is_manual_match   TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 automatic matching, 1 manual (INIT-05)',
  modify_flag       INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'spec trade-rules §1.12: 1 goods_no/spec_no changed, >0 = auto-match candidate',
  is_stock_change   TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 matching changed, stock must be re-synced (INIT-06)',
  brand             VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'from the matched goods (INIT-07)',
  class_name        VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'from the matched goods (INIT-07)',
  sync_strategy_id  BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'default stock-sync strategy (默认同步策略, INIT-07), 0 = global default',
  created_at        DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_shop_goods_spec (shop_id, goods_id, spec_id),
  KEY idx_modify_flag (modify_flag),
  KEY idx_match (match_target_type, match_target_id),
  KEY idx_spec_no (spec_no),
  KEY idx_stock_change (is_stock_change)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='platform goods (trade-rules §7.3)';

CREATE TABLE IF NOT EXISTS api_goods_category (
  rec_id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  shop_id           BIGINT UNSIGNED NOT NULL COMMENT 'cfg_shop',
  cid               VARCHAR(64)  NOT NULL,
  parent_cid        VARCHAR(64)  NOT NULL DEFAULT '',
  name              VARCHAR(128) NOT NULL DEFAULT '',
  commission_factor DECIMAL(9,6) NOT NULL DEFAULT 0 COMMENT 'commission = share_amount × factor (SUB-MAP-07)',
  created_at        DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_shop_cid (shop_id, cid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='platform categories and commission factors (trade-rules §7.4)';

CREATE TABLE IF NOT EXISTS goods_spec_warehouse (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  shop_id      BIGINT UNSIGNED NOT NULL COMMENT 'cfg_shop',
  spec_id      BIGINT UNSIGNED NOT NULL COMMENT 'goods_spec',
  warehouse_id BIGINT UNSIGNED NOT NULL COMMENT 'cfg_warehouse',
  mode         TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '1 指定仓库 designated warehouse, 2 指定仓库地址 designated by warehouse address (极速达) (SUB-WH-02)',
  logistics_id BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'mode 2: designated logistics (E速宝, SUB-WH-10), 0 none',
  priority     INT NOT NULL DEFAULT 0 COMMENT 'higher = preferred (MID-SPW-02)',
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_shop_spec_wh (shop_id, spec_id, warehouse_id),
  KEY idx_spec (spec_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='goods → shop warehouse designation (货品指定店铺仓库, SUB-WH-02, SUB-WH-09)';
