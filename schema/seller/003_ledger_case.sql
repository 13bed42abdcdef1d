-- 003_ledger_case.sql -- D-RT-7, as orderfleet's 039: the sync worker's ledger compares consumer groups and event ids
-- byte for byte (ascii_bin), as Kafka and the producers do, not without regard to case (the default of ascii).
ALTER TABLE processed_event
  MODIFY COLUMN consumer VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'consumer group / worker name',
  MODIFY COLUMN event_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
