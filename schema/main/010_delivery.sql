-- 010_delivery.sql -- merchants, deliveries to merchant servers, every try, and dead letters of every worker.
-- Carries spec/delivery-retry.md DLV-2..DLV-6. The merchant's HMAC secret is never stored: secret_ref names the
-- environment variable / config key that holds it.

CREATE TABLE IF NOT EXISTS merchant (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  merchant_no  VARCHAR(64)   NOT NULL,
  name         VARCHAR(128)  NOT NULL,
  endpoint_url VARCHAR(1024) NOT NULL COMMENT 'HTTP endpoint the delivery worker POSTs to',
  secret_ref   VARCHAR(128)  NOT NULL COMMENT 'NAME of the env var / config key holding the HMAC secret, never the secret',
  timeout_ms   INT NOT NULL DEFAULT 5000,
  is_enabled   TINYINT UNSIGNED NOT NULL DEFAULT 1,
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uk_merchant_no (merchant_no),
  CONSTRAINT chk_merchant_secret_ref CHECK (secret_ref REGEXP '^[A-Za-z_][A-Za-z0-9_.]*$')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='merchant receiving deliveries (DLV)';

CREATE TABLE IF NOT EXISTS delivery (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  merchant_id      BIGINT UNSIGNED NOT NULL COMMENT 'merchant',
  order_id         VARCHAR(64) NOT NULL COMMENT 'the paid order (fs_order.order_code), one delivery per order and merchant (DLV-2)',
  amount           DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'seed cash',
  payload          MEDIUMTEXT NULL COMMENT 'request body sent to the merchant (JSON text, signed as is)',
  status           TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0 pending, 1 in flight, 2 delivered, 3 retrying (on a ladder step), 4 dead (dead_letter)',
  attempts         INT NOT NULL DEFAULT 0 COMMENT 'tries made (5 in all by default: main + 30s/300s/3600s/7200s, DLV-6)',
  retry_step       TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'ladder step of the next try: 0 main, 1 30s, 2 300s, 3 3600s, 4 7200s',
  next_attempt_at  DATETIME(3) NULL,
  last_error       VARCHAR(1024) NOT NULL DEFAULT '',
  last_http_status SMALLINT NOT NULL DEFAULT 0,
  idempotency_key  VARCHAR(128) NOT NULL COMMENT 'sent to the merchant so it can drop a repeat, stable for the order',
  delivered_at     DATETIME(3) NULL,
  created_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  modified_at      DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uk_merchant_order (merchant_id, order_id),
  UNIQUE KEY uk_idempotency_key (idempotency_key),
  KEY idx_status (status, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='delivery of a paid order to its merchant (DLV-2..DLV-5)';

CREATE TABLE IF NOT EXISTS delivery_attempt (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  delivery_id BIGINT UNSIGNED NOT NULL COMMENT 'delivery',
  attempt_no  INT NOT NULL COMMENT '1..attempts',
  retry_step  TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'ladder step the try ran on',
  started_at  DATETIME(3) NOT NULL,
  duration_ms INT NOT NULL DEFAULT 0,
  http_status SMALLINT NOT NULL DEFAULT 0 COMMENT '0 = no HTTP response (connect error, timeout)',
  ok          TINYINT UNSIGNED NOT NULL DEFAULT 0,
  error       VARCHAR(1024) NOT NULL DEFAULT '',
  worker_id   VARCHAR(64) NOT NULL DEFAULT '',
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uk_delivery_attempt (delivery_id, attempt_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='one row per delivery try (DLV-6)';

CREATE TABLE IF NOT EXISTS dead_letter (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  consumer_group   VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'worker group that gave up',
  topic            VARCHAR(249) NOT NULL COMMENT 'origin topic of the message',
  kafka_partition  INT NOT NULL DEFAULT -1,
  kafka_offset     BIGINT NOT NULL DEFAULT -1 COMMENT 'offset on the origin topic, -1 unknown',
  msg_key          VARBINARY(1024) NULL,
  headers          JSON NULL,
  payload          LONGBLOB NULL COMMENT 'original message bytes, unchanged',
  reason           VARCHAR(32)  NOT NULL DEFAULT '' COMMENT 'DECODE, VALIDATION, RETRIES_EXHAUSTED, PERMANENT ...',
  error            VARCHAR(1024) NOT NULL DEFAULT '' COMMENT 'last error',
  attempts         INT NOT NULL DEFAULT 0,
  errors           JSON NULL COMMENT 'every try: [{"at":..., "error":..., "http_status":...}]',
  first_failed_at  DATETIME(3) NULL,
  dead_at          DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  redriven_at      DATETIME(3) NULL COMMENT 'last re-drive to the origin topic, NULL = never',
  redrive_count    INT NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY uk_origin (consumer_group, topic, kafka_partition, kafka_offset),
  KEY idx_dead_at (dead_at),
  KEY idx_pending (redriven_at, topic)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='dead letters of every worker (DLV-6, design processing model step 1)';
