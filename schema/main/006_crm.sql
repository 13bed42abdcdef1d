-- 006_crm.sql -- customers, platform accounts, address book, phone book (trade-rules §7.4, SUB-CUST-01..06).

CREATE TABLE IF NOT EXISTS crm_customer (
  customer_id   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_no   VARCHAR(40)  NOT NULL COMMENT 'human-readable number, e.g. KH000123',
  customer_type TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'customerType: 0 normal, 1 VIP, 2 blacklist (SUB-CUST-02)',
  nick          VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'nick at creation (after the SUB-CUST-01 fallback)',
  name          VARCHAR(64)  NOT NULL DEFAULT '',
  mobile        VARCHAR(40)  NOT NULL DEFAULT '',
  telno         VARCHAR(40)  NOT NULL DEFAULT '',
  province      VARCHAR(40)  NOT NULL DEFAULT '',
  city          VARCHAR(40)  NOT NULL DEFAULT '',
  district      VARCHAR(40)  NOT NULL DEFAULT '',
  address       VARCHAR(255) NOT NULL DEFAULT '',
  zip           VARCHAR(16)  NOT NULL DEFAULT '',
  created_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (customer_id),
  UNIQUE KEY uk_customer_no (customer_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='customer (客户, SUB-CUST-04)';

CREATE TABLE IF NOT EXISTS crm_platform_customer (
  rec_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  platform_id SMALLINT UNSIGNED NOT NULL COMMENT '0 = offline (SUB-CUST-03)',
  account     VARCHAR(128) NOT NULL COMMENT 'buyer nick / account (网名)',
  customer_id BIGINT UNSIGNED NOT NULL COMMENT 'crm_customer',
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_platform_account (platform_id, account),
  KEY idx_customer (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='platform account → customer (SUB-CUST-02..04)';

CREATE TABLE IF NOT EXISTS crm_customer_address (
  rec_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id BIGINT UNSIGNED NOT NULL,
  name        VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'receiver name',
  province    VARCHAR(40)  NOT NULL DEFAULT '',
  city        VARCHAR(40)  NOT NULL DEFAULT '',
  district    VARCHAR(40)  NOT NULL DEFAULT '',
  address     VARCHAR(255) NOT NULL DEFAULT '',
  zip         VARCHAR(16)  NOT NULL DEFAULT '',
  mobile      VARCHAR(40)  NOT NULL DEFAULT '',
  telno       VARCHAR(40)  NOT NULL DEFAULT '',
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_customer_address (customer_id, name, province, city, district, address)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='address book, INSERT IGNORE only (累增, SUB-CUST-05)';

CREATE TABLE IF NOT EXISTS crm_customer_telno (
  rec_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id BIGINT UNSIGNED NOT NULL,
  type        TINYINT UNSIGNED NOT NULL COMMENT '1 mobile, 2 phone (trade-rules §1.15)',
  telno       VARCHAR(40) NOT NULL,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (rec_id),
  UNIQUE KEY uk_customer_telno (customer_id, type, telno),
  KEY idx_telno (telno) COMMENT 'the phone index of I_CRM_TELNO_CREATE_IDX'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='phone book, INSERT IGNORE only (SUB-CUST-06)';
