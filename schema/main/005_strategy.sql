-- 005_strategy.sql -- system settings and the strategy tables read by the submission rules (trade-rules §1.18, §7.9).
-- Every strategy row has is_disabled, strategy code reads only is_disabled = 0. shop_id / warehouse_id 0 = "any".

CREATE TABLE IF NOT EXISTS cfg_setting (
  rec_id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  setting_key   VARCHAR(64)  NOT NULL COMMENT 'symbol of trade-rules §1.18 (CFG_*, DELAY_AUDIT, COD_DELAY, WAIT_UNPAID, ...)',
  setting_value VARCHAR(255) NOT NULL DEFAULT '',
  value_type    VARCHAR(16)  NOT NULL DEFAULT 'bool' COMMENT 'bool (0/1), int, seconds, enum, id, text',
  description   VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'the source phrase',
  created_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_setting_key (setting_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='system settings, one row per switch (trade-rules §1.18, loaded by INIT-01)';

CREATE TABLE IF NOT EXISTS hr_employee (
  employee_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  employee_no VARCHAR(32) NOT NULL,
  name        VARCHAR(64) NOT NULL COMMENT 'the salesman name written in remarks',
  is_disabled TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (employee_id),
  UNIQUE KEY uk_employee_no (employee_no),
  KEY idx_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='employees, salesman (业务员) targets of remark extraction';

CREATE TABLE IF NOT EXISTS cfg_trade_flag (
  flag_id     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  flag_name   VARCHAR(64) NOT NULL,
  color       VARCHAR(16) NOT NULL DEFAULT '',
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (flag_id),
  UNIQUE KEY uk_flag_name (flag_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='trade flags (订单标记 / 标旗) set by remark extraction (SUB-CFG-02/04)';

CREATE TABLE IF NOT EXISTS cfg_oper_reason (
  reason_id   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  class       TINYINT UNSIGNED NOT NULL COMMENT '1 freeze (冻结), 2 cancel, 3 block (拦截), 4 refund',
  title       VARCHAR(128) NOT NULL,
  is_disabled TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (reason_id),
  UNIQUE KEY uk_class_title (class, title)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='operation reasons, sales_trade.freeze_reason refers to class 1 (SUB-FRZ-01)';

CREATE TABLE IF NOT EXISTS cfg_trade_remark_extract (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  class        TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '1 CS remark (客服备注, SUB-CFG-02), 2 client remark (客户备注, SUB-CFG-04)',
  keyword      VARCHAR(128) NOT NULL COMMENT 'matches when it is a substring of the trimmed remark (OP-29)',
  target_type  TINYINT UNSIGNED NOT NULL COMMENT '1 logistics, 2 trade flag, 3 salesman, 4 warehouse, 5 convert to pre-order, 6 freeze',
  target_id    BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'logistics_id / flag_id / employee_id / warehouse_id / freeze reason_id, 0 for 5',
  shop_id      BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 = every shop',
  is_disabled  TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) COMMENT 'strategies are tried ORDER BY created_at DESC, rec_id DESC (newest first)',
  modified_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  KEY idx_class (class, is_disabled, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='remark extraction strategies (trade-rules §7.9, I_DL_EXTRACT_REMARK)';

CREATE TABLE IF NOT EXISTS cfg_salesman_extract (
  rec_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  prefix      VARCHAR(32) NOT NULL COMMENT 'text before the salesman name, e.g. 业务员:',
  suffix      VARCHAR(32) NOT NULL DEFAULT '' COMMENT 'text after the name, '''' or not found = up to the end of the remark',
  is_disabled TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_prefix_suffix (prefix, suffix)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='salesman extraction by prefix/suffix (SUB-CFG-02a)';

CREATE TABLE IF NOT EXISTS cfg_preorder_keyword (
  rec_id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  shop_id       BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 = every shop',
  goods_keyword VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'substring of the platform goods name, '''' = not set',
  spec_keyword  VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'substring of the platform spec name, '''' = not set',
  is_disabled   TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  KEY idx_shop (shop_id, is_disabled),
  CONSTRAINT chk_preorder_kw CHECK (goods_keyword <> '' OR spec_keyword <> '')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='pre-order by goods/spec keyword (SUB-CFG-05)';

CREATE TABLE IF NOT EXISTS cfg_logistics_strategy (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  scope        TINYINT UNSIGNED NOT NULL COMMENT '1 global, 2 by warehouse, 3 by shop (most specific wins: shop > warehouse > global, OP-43)',
  warehouse_id BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'scope 2',
  shop_id      BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'scope 3',
  logistics_id BIGINT UNSIGNED NOT NULL COMMENT 'cfg_logistics',
  weight_min   DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'kg, inclusive, used when CFG_LOGI_BY_WEIGHT = 1',
  weight_max   DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'kg, exclusive, 0 = no upper bound',
  priority     INT NOT NULL DEFAULT 0 COMMENT 'higher first within one scope',
  is_disabled  TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  KEY idx_scope (scope, warehouse_id, shop_id, is_disabled, priority)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='logistics strategy (SUB-LOGI-04)';

CREATE TABLE IF NOT EXISTS cfg_logistics_area (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  logistics_id BIGINT UNSIGNED NOT NULL COMMENT 'cfg_logistics',
  province     VARCHAR(40) NOT NULL,
  city         VARCHAR(40) NOT NULL DEFAULT '' COMMENT ''''' = the whole province',
  district     VARCHAR(40) NOT NULL DEFAULT '' COMMENT ''''' = the whole city',
  is_reachable TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'a logistics reaches everywhere unless a row says 0 here, the most specific row wins',
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_logi_area (logistics_id, province, city, district)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='logistics reachability exceptions (不到达, SUB-LOGI-04)';

CREATE TABLE IF NOT EXISTS cfg_logistics_fee (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  logistics_id BIGINT UNSIGNED NOT NULL COMMENT 'cfg_logistics',
  province     VARCHAR(40) NOT NULL DEFAULT '' COMMENT ''''' = any destination',
  city         VARCHAR(40) NOT NULL DEFAULT '' COMMENT ''''' = the whole province',
  weight_from  DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'bracket lower bound, kg, exclusive (0 = from zero)',
  weight_to    DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'bracket upper bound, kg, inclusive, 0 = no upper bound',
  first_weight DECIMAL(19,4) NOT NULL DEFAULT 1 COMMENT '首重 kg',
  first_fee    DECIMAL(19,4) NOT NULL DEFAULT 0,
  step_weight  DECIMAL(19,4) NOT NULL DEFAULT 1 COMMENT '续重 step, kg',
  step_fee     DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'fee per started step',
  round_mode   TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '取整方式: 1 round the extra weight up to whole steps, 2 half-up to whole steps, 3 no rounding (pro rata), 4 round down',
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_logi_area_bracket (logistics_id, province, city, weight_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='logistics fee brackets (I_DL_DECIDE_LOGISTICS_FEE, SUB-FEE-01)';

CREATE TABLE IF NOT EXISTS cfg_area_alias (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  logistics_id BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 = every logistics company',
  province     VARCHAR(40) NOT NULL,
  city         VARCHAR(40) NOT NULL DEFAULT '',
  district     VARCHAR(40) NOT NULL DEFAULT '',
  alias        VARCHAR(64) NOT NULL COMMENT '大头笔 printed on the waybill, no row ⇒ city + district (SUB-ALIAS-01)',
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_logi_area (logistics_id, province, city, district)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='area alias strategy (I_DL_DECIDE_AREA_ALIAS)';

CREATE TABLE IF NOT EXISTS cfg_package (
  package_id  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  package_no  VARCHAR(64)  NOT NULL,
  name        VARCHAR(128) NOT NULL,
  length      DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'cm',
  width       DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'cm',
  height      DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'cm',
  volume      DECIMAL(19,4) AS (length * width * height) PERSISTENT COMMENT 'cm³, computed',
  weight      DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'kg of the package itself, added to the order weight (SUB-PKG-03)',
  cost        DECIMAL(19,4) NOT NULL DEFAULT 0,
  is_disabled TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (package_id),
  UNIQUE KEY uk_package_no (package_no),
  KEY idx_volume (is_disabled, volume)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='packages (包装)';

CREATE TABLE IF NOT EXISTS cfg_package_strategy (
  rec_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  mode        TINYINT UNSIGNED NOT NULL COMMENT '1 by weight, 2 by volume (CFG_PACKAGE selects the mode in use)',
  shop_id     BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 = every shop',
  weight_min  DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'kg, inclusive (mode 1)',
  weight_max  DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'kg, exclusive, 0 = no upper bound (mode 1)',
  volume_min  DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'cm³, inclusive (mode 2)',
  volume_max  DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'cm³, exclusive, 0 = no upper bound (mode 2)',
  package_id  BIGINT UNSIGNED NOT NULL COMMENT 'cfg_package',
  priority    INT NOT NULL DEFAULT 0,
  is_disabled TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  KEY idx_mode (mode, shop_id, is_disabled)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='package strategy (I_DL_DECIDE_PACKAGE, SUB-PKG-01/02)';

CREATE TABLE IF NOT EXISTS cfg_auto_match_rule (
  rec_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  shop_id      BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 = every shop',
  match_key    TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '1 spec_no (商家编码), 2 goods_no + spec_no, 3 goods_no (single-spec goods only)',
  target_scope TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 single specs then suites, 1 single specs only, 2 suites only',
  ignore_case  TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '1 compare codes case-insensitively (the default collation does)',
  trim_space   TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '1 trim spaces of the platform code first',
  priority     INT NOT NULL DEFAULT 0 COMMENT 'higher first, first rule that finds a target wins',
  is_disabled  TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  KEY idx_shop (shop_id, is_disabled, priority)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='auto-match rule (INIT-06, SUB-MAP-08, OP-09)';
